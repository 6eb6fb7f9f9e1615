import RunbookKit

/// etcdctl's member IDs: uint64, read exactly by the one JSON reader (`JSONValue.parse` keeps
/// integers beyond Int64 as `.bigInteger`), written as etcdctl's arguments take them.
enum EtcdJSON {
  /// A member ID as etcdctl's arguments take it: lowercase hex of the uint64.
  static func hexID(_ value: JSONValue?) -> String? {
    switch value {
    case .bigInteger(let text)?, .string(let text)?: return UInt64(text).map { String($0, radix: 16) }
    case .int(let number)?: return number >= 0 ? String(UInt64(number), radix: 16) : nil
    default: return nil
    }
  }
}
