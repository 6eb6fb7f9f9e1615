/// Replaces every verbatim occurrence of a secret param's value with `***`, in output lines,
/// messages and outputs, before anything is shown or journaled.
public struct SecretMasker: Sendable {
  public static let mask = "***"
  private let secrets: [String]

  /// Secrets shorter than this are not masked: masking `1` would garble every line.
  public static let shortestMasked = 3

  /// The texts of a secret value to mask: a list's items and a map's values one by one, and the whole.
  public static func texts(of value: Value) -> [String] {
    switch value {
    case .null: []
    case .list(let items): items.flatMap(texts) + [value.plainText]
    case .map(let m): m.values.flatMap(texts) + [value.plainText]
    default: [value.plainText]
    }
  }

  public init(_ secrets: [String]) {
    self.secrets = secrets.filter { $0.count >= Self.shortestMasked }.sorted { $0.count > $1.count }
  }

  public func callAsFunction(_ text: String) -> String {
    secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.mask) }
  }

  public func callAsFunction(_ value: Value) -> Value {
    switch value {
    case .string(let s): .string(self(s))
    case .list(let items): .list(items.map { self($0) })
    case .map(let m): .map(m.mapValues { self($0) })
    default: value
    }
  }
}

extension String {
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
