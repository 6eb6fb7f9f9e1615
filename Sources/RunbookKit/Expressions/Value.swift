/// A typed value of the expression language and of params. `unknown` stands for a value that
/// exists only at run time; every operation on it stays unknown, so plans can show it honestly.
public indirect enum Value: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  /// An integer beyond Int64 (a uint64 etcd member id, or longer), as its exact decimal
  /// digits: compared and printed exactly; arithmetic on it is an error.
  case bigInteger(String)
  case decimal(Double)
  case string(String)
  case list([Value])
  case map([String: Value])
  case unknown(Unknown)

  /// Why a value is not known yet.
  public struct Unknown: Sendable, Hashable {
    /// Steps whose outputs it depends on.
    public var after: Set<String>
    /// It depends on the run itself (`run.*`, `env.*`, `check.*`).
    public var atRunTime: Bool
    /// For text with unknown parts: the text with each unknown part shown as its placeholder.
    public var preview: String?

    public init(after: Set<String> = [], atRunTime: Bool = false, preview: String? = nil) {
      self.after = after
      self.atRunTime = atRunTime
      self.preview = preview
    }

    public func merged(_ other: Unknown) -> Unknown {
      Unknown(after: after.union(other.after), atRunTime: atRunTime || other.atRunTime)
    }

    /// `(known after a, b)` or `(known at run time)`.
    public var placeholder: String {
      after.isEmpty ? "(known at run time)" : "(known after \(after.sorted().joined(separator: ", ")))"
    }

    /// What to show in place of the value.
    public var display: String { preview ?? placeholder }
  }

  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "bool"
    case .int, .bigInteger: "int"
    case .decimal: "decimal"
    case .string: "string"
    case .list: "list"
    case .map: "map"
    case .unknown: "unknown"
    }
  }

  public var unknownReason: Unknown? {
    if case .unknown(let u) = self { return u }
    return nil
  }

  /// Whether this value, or anything inside it, is unknown.
  public var containsUnknown: Bool {
    switch self {
    case .unknown: true
    case .list(let items): items.contains { $0.containsUnknown }
    case .map(let m): m.values.contains { $0.containsUnknown }
    default: false
    }
  }

  /// Whether a string in this value, or a map key, holds a NUL, which would cut an argument,
  /// a path or an environment string short where it is used (docs/running.md, "What input is refused").
  public var containsNUL: Bool {
    switch self {
    case .string(let s): s.utf8.contains(0)
    case .list(let items): items.contains { $0.containsNUL }
    case .map(let m): m.contains { $0.key.utf8.contains(0) || $0.value.containsNUL }
    default: false
    }
  }

  /// The text a value becomes inside a longer string: strings as they are, collections as JSON.
  public var plainText: String {
    switch self {
    case .null: ""
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .bigInteger(let digits): digits
    case .decimal(let d): Self.format(d)
    case .string(let s): s
    case .list, .map: json.serialized(pretty: false)
    case .unknown(let u): u.display
    }
  }

  public var json: JSONValue {
    switch self {
    case .null: .null
    case .bool(let b): .bool(b)
    case .int(let i): .int(i)
    case .bigInteger(let digits): .bigInteger(digits)
    case .decimal(let d): .double(d)
    case .string(let s): .string(s)
    case .list(let items): .array(items.map(\.json))
    case .map(let m): .object(m.keys.sorted().map { JSONValue.Member($0, m[$0]!.json) })
    case .unknown(let u): .string(u.display)
    }
  }

  public init(_ json: JSONValue) {
    switch json {
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .bigInteger(let digits): self = .bigInteger(digits)
    case .double(let d): self = .decimal(d)
    case .string(let s): self = .string(s)
    case .array(let items): self = .list(items.map(Value.init))
    case .object(let members): self = .map(Dictionary(members.map { ($0.key, Value($0.value)) }, uniquingKeysWith: { a, _ in a }))
    }
  }

  /// The order of two integers given as decimal text (Int64 or longer), exactly: -1, 0 or 1.
  static func compareIntegers(_ a: String, _ b: String) -> Int {
    let (negativeA, digitsA) = (a.hasPrefix("-"), a.hasPrefix("-") ? String(a.dropFirst()) : a)
    let (negativeB, digitsB) = (b.hasPrefix("-"), b.hasPrefix("-") ? String(b.dropFirst()) : b)
    if negativeA != negativeB { return negativeA ? -1 : 1 }
    let magnitude = digitsA.count != digitsB.count ? (digitsA.count < digitsB.count ? -1 : 1) : (digitsA == digitsB ? 0 : (digitsA < digitsB ? -1 : 1))
    return negativeA ? -magnitude : magnitude
  }

  static func format(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
    return "\(d)"
  }
}
