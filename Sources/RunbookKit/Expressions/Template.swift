import RunbookYAML

/// A string as written in a runbook, split into literal text and `${{ }}` expressions.
public struct Template: Sendable {
  public enum Part: Sendable {
    case text(String)
    case expression(Expression, source: String)
  }

  public struct Failure: Error, Sendable {
    public var message: String
    public var span: Expression.Span
    public var unterminated: Bool
  }

  public var parts: [Part]
  public var raw: String
  /// The YAML node it was written in, for locating spans.
  public var node: YAMLNode
  /// Where each expression is written, `${{` to `}}`, in the order of `expressions`.
  public var placeholders: [Expression.Span]

  public init(parts: [Part], raw: String, node: YAMLNode, placeholders: [Expression.Span] = []) {
    self.parts = parts
    self.raw = raw
    self.node = node
    self.placeholders = placeholders
  }

  /// A template holding a single constant, for values written as plain YAML (`when: true`).
  public static func constant(_ value: Value, node: YAMLNode) -> Template {
    let text = node.scalar?.text ?? value.plainText
    let span = Expression.Span(start: 0, length: text.unicodeScalars.count)
    return Template(parts: [.expression(.literal(value, span), source: text)], raw: text, node: node, placeholders: [span])
  }

  /// Whether it is exactly one expression (surrounding white space aside), and so keeps its type.
  public var isSingleExpression: Bool {
    let significant = parts.filter {
      if case .text(let t) = $0 { return !t.allSatisfy(\.isWhitespace) }
      return true
    }
    if significant.count == 1, case .expression = significant[0] { return true }
    return false
  }

  public var hasExpressions: Bool {
    parts.contains { if case .expression = $0 { true } else { false } }
  }

  public var expressions: [Expression] {
    parts.compactMap { if case .expression(let e, _) = $0 { e } else { nil } }
  }

  /// Splits `raw` into parts; spans in the expressions are offsets (in Unicode scalars) into `raw`.
  public static func parse(_ raw: String, node: YAMLNode) throws(Failure) -> Template {
    guard raw.utf8.contains(UInt8(ascii: "$")) else {
      return Template(parts: raw.isEmpty ? [] : [.text(raw)], raw: raw, node: node)
    }
    let bytes = Array(raw.utf8)
    var parts: [Part] = []
    var placeholders: [Expression.Span] = []
    var textStart = 0
    var i = 0
    // Scalar offsets are counted as the scan goes, so a template with many expressions is
    // parsed in linear time.
    var counted = (byte: 0, scalars: 0)
    func offset(_ byte: Int) -> Int {
      counted.scalars += bytes[counted.byte..<byte].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
      counted.byte = byte
      return counted.scalars
    }
    while i < bytes.count {
      guard bytes[i] == UInt8(ascii: "$"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"), bytes[i + 2] == UInt8(ascii: "{") else {
        i += 1
        continue
      }
      let contentStart = i + 3
      guard let close = closingBraces(bytes, from: contentStart) else {
        throw Failure(message: "'${{' is never closed by '}}'", span: .init(start: offset(i), length: 3), unterminated: true)
      }
      if textStart < i { parts.append(.text(string(bytes[textStart..<i]))) }
      let content = bytes[contentStart..<close]
      let start = offset(i)
      do {
        let expression = try ExpressionParser.parse(string(content), base: offset(contentStart))
        parts.append(.expression(expression, source: string(trimmingBlanks(content))))
      } catch {
        throw Failure(message: error.message, span: error.span, unterminated: false)
      }
      i = close + 2
      placeholders.append(.init(start: start, length: offset(i) - start))
      textStart = i
    }
    if textStart < bytes.count { parts.append(.text(string(bytes[textStart...]))) }
    return Template(parts: parts, raw: raw, node: node, placeholders: placeholders)
  }

  private static func string(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
  }

  private static func trimmingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
      return bytes[bytes.startIndex..<bytes.startIndex]
    }
    return bytes[first...last]
  }

  /// The offset of the `}}` that ends an expression starting at `from`, skipping quoted strings.
  private static func closingBraces(_ bytes: [UInt8], from: Int) -> Int? {
    var i = from
    var quoted = false
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "'") {
        quoted.toggle()
      } else if !quoted, bytes[i] == UInt8(ascii: "}"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "}") {
        return i
      }
      i += 1
    }
    return nil
  }

  /// The source range of an expression span, for diagnostics.
  public func range(of span: Expression.Span, in source: SourceText) -> SourceRange {
    let scalars = Array(raw.unicodeScalars)
    let start = min(max(span.start, 0), scalars.count)
    let end = min(start + span.length, scalars.count)
    let needle = String(String.UnicodeScalarView(scalars[start..<end]))
    let mark = source.mark(ofOffset: start, needle: needle, in: node)
    return SourceRange(start: mark, end: Mark(line: mark.line, column: mark.column + max(1, end - start)))
  }
}

import Foundation
