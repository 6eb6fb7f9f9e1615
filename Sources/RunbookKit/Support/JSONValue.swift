import Foundation
import RunbookYAML

/// A JSON document with ordered object members, written deterministically.
public indirect enum JSONValue: Sendable, Hashable, ExpressibleByDictionaryLiteral, ExpressibleByStringLiteral,
  ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  case null
  case bool(Bool)
  case int(Int64)
  /// An integer beyond Int64, as its exact decimal digits (`17736098101335889303`).
  case bigInteger(String)
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

  /// This object with one more member at the end (anything else is returned as it is).
  public func appending(_ key: String, _ value: JSONValue) -> JSONValue {
    guard case .object(let members) = self else { return self }
    return .object(members + [Member(key, value)])
  }

  /// The member `key` of an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The item at `index` of an array.
  public subscript(index: Int) -> JSONValue? {
    guard case .array(let items) = self, items.indices.contains(index) else { return nil }
    return items[index]
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
    var out: [UInt8] = []
    write(to: &out, pretty: pretty, indent: 0)
    return String(decoding: out, as: UTF8.self)
  }

  private func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
    switch self {
    case .null: out += "null".utf8
    case .bool(let b): out += (b ? "true" : "false").utf8
    case .int(let i): out += String(i).utf8
    case .bigInteger(let digits): out += digits.utf8
    case .double(let d):
      if d.isFinite {
        out += (d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)").utf8
      } else {
        out += "null".utf8
      }
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]".utf8
        return
      }
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        if pretty { Self.writeIndentation(indent + 1, to: &out) }
        item.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.writeIndentation(indent, to: &out) }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      if members.isEmpty {
        out += "{}".utf8
        return
      }
      out.append(UInt8(ascii: "{"))
      for (i, member) in members.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        if pretty { Self.writeIndentation(indent + 1, to: &out) }
        Self.writeString(member.key, to: &out)
        out += (pretty ? ": " : ":").utf8
        member.value.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.writeIndentation(indent, to: &out) }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// A newline and `level` indents of two spaces.
  private static func writeIndentation(_ level: Int, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\n"))
    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
  }

  private static func writeString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }) {
      out.append(contentsOf: s.utf8)
      out.append(UInt8(ascii: "\""))
      return
    }
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += #"\""#.utf8
      case UInt8(ascii: "\\"): out += #"\\"#.utf8
      case UInt8(ascii: "\n"): out += #"\n"#.utf8
      case UInt8(ascii: "\r"): out += #"\r"#.utf8
      case UInt8(ascii: "\t"): out += #"\t"#.utf8
      case 0..<0x20, 0x7F:
        let hex = String(byte, radix: 16)
        out += #"\u"#.utf8
        out += (String(repeating: "0", count: 4 - hex.count) + hex).utf8
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  // MARK: Reading

  /// Reads JSON text, every integer exact (`JSONReader`).
  public static func parse(_ text: String) -> JSONValue? { JSONReader.read(text) }
}

