/// Parses expression text into an `Expression` by precedence climbing, refusing nesting deeper
/// than `maxDepth` and more than `maxTokens` tokens (a chain of operators nests as deep as it is
/// long), so no input can exhaust the stack of the parser, the checker or the evaluator.
public struct ExpressionParser {
  public struct Failure: Error, Sendable {
    public var message: String
    public var span: Expression.Span
  }

  public static let maxDepth = 64
  public static let maxTokens = 512

  private var tokens: [Lexer.Token]
  private var position = 0
  private var depth = 0

  /// Parses `text`, which starts at offset `base` of its enclosing string.
  public static func parse(_ text: String, base: Int = 0) throws(Failure) -> Expression {
    let tokens: [Lexer.Token]
    do {
      tokens = try Lexer(text, base: base).tokens()
    } catch {
      throw Failure(message: error.message, span: error.span)
    }
    guard tokens.count <= maxTokens else {
      throw Failure(message: "an expression of more than \(maxTokens) tokens; split it into steps or params", span: tokens[maxTokens].span)
    }
    var parser = ExpressionParser(tokens: tokens)
    if case .end = tokens[0].kind {
      throw Failure(message: "empty expression", span: tokens[0].span)
    }
    let expression = try parser.parseBinary(level: 0)
    guard case .end = parser.current.kind else {
      // `not a`: the word was read as a name, and what follows it is the surprise.
      if parser.position > 0, case .identifier(let word) = tokens[parser.position - 1].kind, let written = operatorWords[word] {
        throw Failure(message: "unexpected \(parser.describe(parser.current)) after '\(word)' (the operator is written '\(written)')", span: parser.current.span)
      }
      throw Failure(message: "unexpected \(parser.describe(parser.current)) after a complete expression", span: parser.current.span)
    }
    return expression
  }

  private init(tokens: [Lexer.Token]) {
    self.tokens = tokens
  }

  private var current: Lexer.Token { tokens[position] }

  private static let levels: [[Expression.BinaryOperator]] = [
    [.or], [.and], [.equal, .notEqual], [.less, .lessOrEqual, .greater, .greaterOrEqual, .in],
    [.add, .subtract], [.multiply, .divide, .remainder],
  ]

  private mutating func parseBinary(level: Int) throws(Failure) -> Expression {
    if level == Self.levels.count { return try parseUnary() }
    var left = try parseBinary(level: level + 1)
    while let op = binaryOperator(), Self.levels[level].contains(op) {
      let opSpan = current.span
      position += 1
      let right = try parseBinary(level: level + 1)
      left = .binary(op, left, right, opSpan)
    }
    return left
  }

  private func binaryOperator() -> Expression.BinaryOperator? {
    switch current.kind {
    case .symbol(let s): Expression.BinaryOperator(rawValue: s)
    case .identifier("in"): .in
    default: nil
    }
  }

  private mutating func parseUnary() throws(Failure) -> Expression {
    try enter()
    defer { depth -= 1 }
    let token = current
    if case .symbol(let s) = token.kind, let op = Expression.UnaryOperator(rawValue: s) {
      position += 1
      let operand = try parseUnary()
      return .unary(op, operand, token.span)
    }
    return try parsePostfix()
  }

  private mutating func parsePostfix() throws(Failure) -> Expression {
    var expression = try parsePrimary()
    while true {
      switch current.kind {
      case .symbol("."):
        position += 1
        guard case .identifier(let name) = current.kind else {
          throw Failure(message: "expected a name after '.', found \(describe(current))", span: current.span)
        }
        expression = .member(expression, name, current.span)
        position += 1
      case .symbol("["):
        let open = current.span
        position += 1
        try enter()
        let index = try parseBinary(level: 0)
        depth -= 1
        try expect("]", closing: "[", at: open)
        expression = .index(expression, index, open)
      default:
        return expression
      }
    }
  }

  private mutating func parsePrimary() throws(Failure) -> Expression {
    let token = current
    switch token.kind {
    case .integer(let i):
      position += 1
      return .literal(.int(i), token.span)
    case .bigInteger(let digits):
      position += 1
      return .literal(.bigInteger(digits), token.span)
    case .decimal(let d):
      position += 1
      return .literal(.decimal(d), token.span)
    case .string(let s):
      position += 1
      return .literal(.string(s), token.span)
    case .identifier("true"):
      position += 1
      return .literal(.bool(true), token.span)
    case .identifier("false"):
      position += 1
      return .literal(.bool(false), token.span)
    case .identifier("null"):
      position += 1
      return .literal(.null, token.span)
    case .identifier(let name):
      position += 1
      if case .symbol("(") = current.kind {
        let open = current.span
        position += 1
        let arguments = try parseList(closing: ")", opening: "(", at: open)
        return .call(name, arguments, token.span)
      }
      return .name(name, token.span)
    case .symbol("("):
      position += 1
      try enter()
      let inner = try parseBinary(level: 0)
      depth -= 1
      try expect(")", closing: "(", at: token.span)
      return inner
    case .symbol("["):
      position += 1
      let items = try parseList(closing: "]", opening: "[", at: token.span)
      return .list(items, token.span)
    default:
      throw Failure(message: "expected a value, found \(describe(token))", span: token.span)
    }
  }

  private mutating func parseList(closing: String, opening: String, at open: Expression.Span) throws(Failure) -> [Expression] {
    try enter()
    defer { depth -= 1 }
    var items: [Expression] = []
    if case .symbol(closing) = current.kind {
      position += 1
      return items
    }
    while true {
      items.append(try parseBinary(level: 0))
      if case .symbol(",") = current.kind {
        position += 1
        continue
      }
      try expect(closing, closing: opening, at: open)
      return items
    }
  }

  private mutating func expect(_ symbol: String, closing opening: String, at open: Expression.Span) throws(Failure) {
    guard case .symbol(symbol) = current.kind else {
      throw Failure(message: "expected '\(symbol)' to close '\(opening)', found \(describe(current))", span: current.span)
    }
    position += 1
  }

  private mutating func enter() throws(Failure) {
    depth += 1
    if depth > Self.maxDepth {
      throw Failure(message: "expression nested deeper than \(Self.maxDepth) levels", span: current.span)
    }
  }

  /// Words people type for operators, and the operator to write instead.
  static let operatorWords = ["and": "&&", "or": "||", "not": "!", "AND": "&&", "OR": "||", "NOT": "!"]

  private func describe(_ token: Lexer.Token) -> String {
    switch token.kind {
    case .integer(let i): "number \(i)"
    case .bigInteger(let digits): "number \(digits)"
    case .decimal(let d): "number \(d)"
    case .string(let s): "string '\(s)'"
    case .identifier(let n): Self.operatorWords[n].map { "'\(n)' (the operator is written '\($0)')" } ?? "'\(n)'"
    case .symbol(let s): "'\(s)'"
    case .end: "the end of the expression"
    }
  }
}
