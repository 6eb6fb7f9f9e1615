import Foundation
import RunbookYAML

/// A JSON document with ordered object members, written deterministically.
public indirect enum JSONValue: Sendable, Hashable, ExpressibleByDictionaryLiteral, ExpressibleByStringLiteral,
  ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([Member])

  public struct Member: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(elements.map { Member($0.0, $0.1) })
  }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }

  /// `.string(s)` or `.null`.
  public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

  /// The member `key` of an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// An object without its null members, for compact output.
  public var droppingNulls: JSONValue {
    guard case .object(let members) = self else { return self }
    return .object(members.filter { $0.value != .null })
  }

  // MARK: Writing

  /// The text of the value: pretty (two-space indent) or on one line.
  public func serialized(pretty: Bool = true) -> String {
    var out = ""
    write(to: &out, pretty: pretty, indent: 0)
    return out
  }

  private func write(to out: inout String, pretty: Bool, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d):
      if d.isFinite {
        out += d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
      } else {
        out += "null"
      }
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        if pretty { out += Self.indentation(indent + 1) }
        item.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { out += Self.indentation(indent) }
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (i, member) in members.enumerated() {
        if i > 0 { out += "," }
        if pretty { out += Self.indentation(indent + 1) }
        Self.writeString(member.key, to: &out)
        out += pretty ? ": " : ":"
        member.value.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { out += Self.indentation(indent) }
      out += "}"
    }
  }

  private static let indents = (0..<32).map { "\n" + String(repeating: "  ", count: $0) }

  /// A newline and `level` indents.
  private static func indentation(_ level: Int) -> String {
    level < indents.count ? indents[level] : "\n" + String(repeating: "  ", count: level)
  }

  private static func writeString(_ s: String, to out: inout String) {
    out += "\""
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }

  // MARK: Reading

  /// Reads JSON text (a subset of YAML 1.2) through the located YAML parser.
  public static func parse(_ text: String) -> JSONValue? {
    let result = YAMLParser.parse(text)
    guard result.problems.isEmpty, let root = result.root else { return nil }
    return JSONValue(root)
  }

  init(_ node: YAMLNode) {
    switch node.content {
    case .scalar(let s):
      switch s.value {
      case .null: self = .null
      case .bool(let b): self = .bool(b)
      case .int(let i): self = .int(i)
      case .float(let d): self = .double(d)
      case .string(let t): self = .string(t)
      }
    case .sequence(let items): self = .array(items.map(JSONValue.init))
    case .mapping(let pairs): self = .object(pairs.map { Member($0.name, JSONValue($0.value)) })
    }
  }
}

