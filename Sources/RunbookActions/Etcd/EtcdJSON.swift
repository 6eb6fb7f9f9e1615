import RunbookKit

/// etcdctl's member IDs: uint64, read exactly by the one JSON reader (`JSONValue.parse` keeps
/// integers beyond Int64 as `.bigInteger`), written as etcdctl's arguments take them.
enum EtcdJSON {
  /// What a member reports that moves with every write: not a fact a plan may be held to.
  static let volatileFields: Set<String> = ["db_size", "db_size_in_use", "revision", "raft_applied_index", "raft_term", "raft_index"]

  /// A member ID as etcdctl's arguments take it: lowercase hex of the uint64.
  static func hexID(_ value: JSONValue?) -> String? {
    switch value {
    case .bigInteger(let text)?, .string(let text)?: return UInt64(text).map { String($0, radix: 16) }
    case .int(let number)?: return number >= 0 ? String(UInt64(number), radix: 16) : nil
    default: return nil
    }
  }
}
