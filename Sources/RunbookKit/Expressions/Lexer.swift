/// Splits expression text into tokens with their offsets.
struct Lexer {
  enum Kind: Equatable {
    case integer(Int64), bigInteger(String), decimal(Double), string(String), identifier(String)
    case symbol(String)
    case end
  }

  struct Token {
    var kind: Kind
    var span: Expression.Span
  }

  struct Failure: Error {
    var message: String
    var span: Expression.Span
  }

  private let scalars: [Unicode.Scalar]
  private let base: Int

  /// `text` starts at offset `base` of its enclosing string.
  init(_ text: String, base: Int) {
    scalars = Array(text.unicodeScalars)
    self.base = base
  }

  /// Longest first, so `<=` wins over `<`.
  private static let symbols: [(text: String, scalars: [Unicode.Scalar])] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".",
  ].map { ($0, Array($0.unicodeScalars)) }

  func tokens() throws(Failure) -> [Token] {
    var result: [Token] = []
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      if c == " " || c == "\t" || c == "\n" || c == "\r" {
        i += 1
        continue
      }
      let start = i
      let afterDot = result.last?.kind == .symbol(".")
      if afterDot && (Self.isWordScalar(c)) {
        while i < scalars.count, Self.isWordScalar(scalars[i]) { i += 1 }
        result.append(Token(kind: .identifier(asciiText(start, i)), span: span(start, i)))
      } else if Self.isDigit(c) {
        while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
        var isDecimal = false
        if i + 1 < scalars.count, scalars[i] == ".", Self.isDigit(scalars[i + 1]) {
          isDecimal = true
          i += 1
          while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
          var j = i + 1
          if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
          if j < scalars.count, Self.isDigit(scalars[j]) {
            isDecimal = true
            i = j
            while i < scalars.count, Self.isDigit(scalars[i]) { i += 1 }
          }
        }
        if i < scalars.count, Self.isIdentifierStart(scalars[i]) {
          throw Failure(message: "a number cannot run into a name here", span: span(start, i + 1))
        }
        let literal = asciiText(start, i)
        if isDecimal {
          guard let d = Double(literal), d.isFinite else { throw Failure(message: "decimal \(literal) is out of range", span: span(start, i)) }
          result.append(Token(kind: .decimal(d), span: span(start, i)))
        } else {
          // Beyond Int64 an integer stays exact as its digits: it compares and prints exactly.
          let digits = String(literal.drop { $0 == "0" })
          result.append(Token(kind: Int64(literal).map(Kind.integer) ?? .bigInteger(digits), span: span(start, i)))
        }
      } else if Self.isIdentifierStart(c) {
        while i < scalars.count, Self.isWordScalar(scalars[i]) { i += 1 }
        // A trailing '-' belongs to a following operator, not to the name: `a- 1`.
        while i > start + 1, scalars[i - 1] == "-" { i -= 1 }
        result.append(Token(kind: .identifier(asciiText(start, i)), span: span(start, i)))
      } else if c == "'" {
        var value = String.UnicodeScalarView()
        i += 1
        var closed = false
        while i < scalars.count {
          if scalars[i] == "'" {
            if i + 1 < scalars.count, scalars[i + 1] == "'" {
              value.append("'")
              i += 2
              continue
            }
            closed = true
            i += 1
            break
          }
          value.append(scalars[i])
          i += 1
        }
        guard closed else { throw Failure(message: "string is never closed by '", span: span(start, start + 1)) }
        result.append(Token(kind: .string(String(value)), span: span(start, i)))
      } else if let symbol = Self.symbols.first(where: { matches($0.scalars, at: i) }) {
        i += symbol.scalars.count
        result.append(Token(kind: .symbol(symbol.text), span: span(start, i)))
      } else {
        let next = i + 1 < scalars.count ? scalars[i + 1] : " "
        let hint =
          c == "\"" ? "; strings are written in single quotes"
          : c == "=" && next == ">" ? "; did you mean '>='?" : c == "=" && next == "<" ? "; did you mean '<='?"
          : c == "=" ? "; compare with '=='" : ""
        throw Failure(message: "unexpected character '\(c)'\(hint)", span: span(start, start + 1))
      }
    }
    result.append(Token(kind: .end, span: span(scalars.count, scalars.count + 1)))
    return result
  }

  private func matches(_ symbol: [Unicode.Scalar], at i: Int) -> Bool {
    guard i + symbol.count <= scalars.count else { return false }
    return scalars[i..<(i + symbol.count)].elementsEqual(symbol)
  }

  /// The text of a name or a number, which are ASCII by construction.
  private func asciiText(_ from: Int, _ to: Int) -> String {
    String(unsafeUninitializedCapacity: to - from) { buffer in
      for offset in 0..<(to - from) { buffer[offset] = UInt8(truncatingIfNeeded: scalars[from + offset].value) }
      return to - from
    }
  }

  private func span(_ from: Int, _ to: Int) -> Expression.Span {
    Expression.Span(start: base + from, length: to - from)
  }

  private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
  private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }
  private static func isWordScalar(_ c: Unicode.Scalar) -> Bool {
    isIdentifierStart(c) || isDigit(c) || c == "-"
  }
}
