/// A host as an inventory names it: a name with an optional `:PORT` and ranges such as
/// `node[1:3]`, `node[01:03]`, `node[a:c]` or `node[1:10:2]`, expanded as Ansible expands them
/// (a leading zero pads every number to the begin's width; a range whose end is below its begin
/// gives no host at all, as in Ansible).
struct HostPattern {
  /// Most hosts one pattern may expand to.
  static let maxHosts = 65536

  var names: [String]
  var port: Int?

  /// Why a pattern cannot be expanded, as a diagnostic says it.
  struct Failure: Error {
    var reason: String
  }

  /// Reads `pattern`; `port` is the text after the last `:` outside brackets when it is all digits.
  init(_ pattern: String) throws(Failure) {
    var host = pattern
    if let colon = Self.portColon(in: pattern) {
      let digits = pattern[pattern.index(after: colon)...]
      if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
        guard let port = Int(digits) else { throw Failure(reason: "port '\(digits)' is not a number from 1 to 65535") }
        self.port = port
        host = String(pattern[..<colon])
      } else if digits.isEmpty {
        throw Failure(reason: "'\(pattern)' ends in ':', which is kept for a port")
      }
    }
    names = try Self.expand(host)
  }

  /// The one `:` outside brackets, when there is exactly one (an IPv6 address has several).
  private static func portColon(in pattern: String) -> String.Index? {
    var depth = 0
    var found: String.Index?
    for index in pattern.indices {
      switch pattern[index] {
      case "[": depth += 1
      case "]": depth -= 1
      case ":" where depth == 0:
        if found != nil { return nil }
        found = index
      default: break
      }
    }
    return found
  }

  private static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

  /// Every name `host` stands for: the first `[begin:end(:step)]` expanded, then the rest in each.
  static func expand(_ host: String) throws(Failure) -> [String] {
    guard let open = host.firstIndex(of: "[") else { return [host] }
    guard let close = host[open...].firstIndex(of: "]") else { throw Failure(reason: "'\(host)': a range '[' is never closed with ']'") }
    let head = host[..<open]
    let tail = host[host.index(after: close)...]
    let bounds = host[host.index(after: open)..<close].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard bounds.count == 2 || bounds.count == 3 else { throw Failure(reason: "a host range must be [begin:end] or [begin:end:step]") }
    let begin = bounds[0].isEmpty ? "0" : bounds[0]
    let end = bounds[1]
    guard !end.isEmpty else { throw Failure(reason: "a host range must have an end") }
    guard let step = bounds.count == 3 ? Int(bounds[2]) : 1 else { throw Failure(reason: "the step '\(bounds[2])' is not a number") }
    guard step > 0 else { throw Failure(reason: "the step of a host range must be at least 1") }
    var items: [String] = []
    if begin.count == 1, end.count == 1, let b = letters.firstIndex(of: Character(begin)), let e = letters.firstIndex(of: Character(end)) {
      guard b <= e else { throw Failure(reason: "a host range must have begin <= end ('\(begin)' comes after '\(end)')") }
      items = stride(from: b, through: e, by: step).map { String(letters[$0]) }
    } else {
      guard let b = Int(begin), let e = Int(end) else {
        throw Failure(reason: "a host range must be numbers or single letters, not '\(begin):\(end)'")
      }
      let width = begin.hasPrefix("0") && begin.count > 1 ? begin.count : 0
      guard width == 0 || end.count == width else { throw Failure(reason: "'\(begin)' and '\(end)' must have the same width when '\(begin)' starts with 0") }
      if b <= e {
        guard (e - b) / step < maxHosts else { throw Failure(reason: "the range gives more than \(maxHosts) hosts") }
        items = stride(from: b, through: e, by: step).map { n in
          let digits = String(n)
          return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
      }
    }
    var names: [String] = []
    for item in items {
      names += try expand(head + item + tail)
      guard names.count <= maxHosts else { throw Failure(reason: "the range gives more than \(maxHosts) hosts") }
    }
    return names
  }
}
