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

  public init(parts: [Part], raw: String, node: YAMLNode) {
    self.parts = parts
    self.raw = raw
    self.node = node
  }

  /// A template holding a single constant, for values written as plain YAML (`when: true`).
  public static func constant(_ value: Value, node: YAMLNode) -> Template {
    let text = node.scalar?.text ?? value.plainText
    return Template(parts: [.expression(.literal(value, .init(start: 0, length: text.unicodeScalars.count)), source: text)], raw: text, node: node)
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

  /// Splits `raw` into parts; spans in the expressions are offsets into `raw`.
  public static func parse(_ raw: String, node: YAMLNode) throws(Failure) -> Template {
    let scalars = Array(raw.unicodeScalars)
    var parts: [Part] = []
    var text = String.UnicodeScalarView()
    var i = 0
    while i < scalars.count {
      if scalars[i] == "$", i + 2 < scalars.count, scalars[i + 1] == "{", scalars[i + 2] == "{" {
        let open = i
        let contentStart = i + 3
        guard let close = closingBraces(scalars, from: contentStart) else {
          throw Failure(message: "'${{' is never closed by '}}'", span: .init(start: open, length: 3), unterminated: true)
        }
        if !text.isEmpty {
          parts.append(.text(String(text)))
          text = String.UnicodeScalarView()
        }
        let source = String(String.UnicodeScalarView(scalars[contentStart..<close]))
        do {
          let expression = try ExpressionParser.parse(source, base: contentStart)
          parts.append(.expression(expression, source: source.trimmingCharacters(in: .whitespaces)))
        } catch {
          throw Failure(message: error.message, span: error.span, unterminated: false)
        }
        i = close + 2
      } else {
        text.append(scalars[i])
        i += 1
      }
    }
    if !text.isEmpty { parts.append(.text(String(text))) }
    return Template(parts: parts, raw: raw, node: node)
  }

  /// The offset of the `}}` that ends an expression starting at `from`, skipping quoted strings.
  private static func closingBraces(_ s: [Unicode.Scalar], from: Int) -> Int? {
    var i = from
    var quoted = false
    while i < s.count {
      if s[i] == "'" {
        quoted.toggle()
      } else if !quoted, s[i] == "}", i + 1 < s.count, s[i + 1] == "}" {
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
