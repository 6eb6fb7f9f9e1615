/// Evaluates expressions over typed values. Integers are 64-bit and overflow is an error; an
/// integer becomes a decimal only when mixed with one; unknown operands give unknown results.
public enum Evaluator {
  public static func evaluate(_ template: Template, in context: EvaluationContext) throws(EvaluationError) -> Value {
    if template.isSingleExpression, let expression = template.expressions.first {
      return try evaluate(expression, in: context)
    }
    var text = ""
    var unknown: Value.Unknown?
    for part in template.parts {
      switch part {
      case .text(let t):
        text += t
      case .expression(let e, _):
        let value = try evaluate(e, in: context)
        if let reason = value.unknownReason { unknown = unknown.map { $0.merged(reason) } ?? reason }
        text += value.plainText
      }
    }
    if var unknown {
      unknown.preview = text
      return .unknown(unknown)
    }
    return .string(text)
  }

  public static func evaluate(_ expression: Expression, in context: EvaluationContext) throws(EvaluationError) -> Value {
    switch expression {
    case .literal(let value, _):
      return value
    case .name(let name, let span):
      guard let value = context.variables[name] else { throw EvaluationError("'\(name)' is not known here", at: span) }
      return value
    case .member(let base, let name, let span):
      return try member(try evaluate(base, in: context), name, at: span)
    case .index(let base, let index, let span):
      return try subscripted(try evaluate(base, in: context), try evaluate(index, in: context), at: span)
    case .list(let items, _):
      var values: [Value] = []
      for item in items { values.append(try evaluate(item, in: context)) }
      return .list(values)
    case .unary(let op, let operand, let span):
      let value = try evaluate(operand, in: context)
      if case .unknown = value { return value }
      switch (op, value) {
      case (.not, .bool(let b)): return .bool(!b)
      case (.negate, .int(let i)):
        let (r, overflow) = Int64(0).subtractingReportingOverflow(i)
        if overflow { throw EvaluationError("integer overflow in -\(i)", at: span) }
        return .int(r)
      case (.negate, .decimal(let d)): return .decimal(-d)
      default: throw EvaluationError("'\(op.rawValue)' does not apply to a \(value.typeName)", at: span)
      }
    case .binary(let op, let lhs, let rhs, let span):
      return try binary(op, lhs, rhs, span, context)
    case .call(let name, let arguments, let span):
      var values: [Value] = []
      for argument in arguments { values.append(try evaluate(argument, in: context)) }
      return try Functions.call(name, values, at: span)
    }
  }

  static func member(_ base: Value, _ name: String, at span: Expression.Span) throws(EvaluationError) -> Value {
    switch base {
    case .unknown: return base
    case .map(let m): return m[name] ?? .null
    case .null: throw EvaluationError("cannot read '\(name)' of null", at: span)
    default: throw EvaluationError("cannot read '\(name)' of a \(base.typeName)", at: span)
    }
  }

  static func subscripted(_ base: Value, _ index: Value, at span: Expression.Span) throws(EvaluationError) -> Value {
    switch (base, index) {
    case (.unknown(let a), .unknown(let b)): return .unknown(a.merged(b))
    case (.unknown, _): return base
    case (_, .unknown): return index
    case (.list(let items), .int(let i)):
      guard i >= 0, i < Int64(items.count) else {
        throw EvaluationError("index \(i) is out of range for a list of \(items.count)", at: span)
      }
      return items[Int(i)]
    case (.map(let m), .string(let key)): return m[key] ?? .null
    default: throw EvaluationError("cannot index a \(base.typeName) with a \(index.typeName)", at: span)
    }
  }

  private static func binary(
    _ op: Expression.BinaryOperator, _ lhs: Expression, _ rhs: Expression, _ span: Expression.Span,
    _ context: EvaluationContext
  ) throws(EvaluationError) -> Value {
    let left = try evaluate(lhs, in: context)
    if op == .and || op == .or {
      if case .bool(let b) = left, b == (op == .or) { return .bool(b) }
      let right = try evaluate(rhs, in: context)
      switch (left, right) {
      case (.unknown(let a), .unknown(let b)): return .unknown(a.merged(b))
      case (.unknown, .bool(let b)) where b == (op == .or): return .bool(b)
      case (.unknown, .bool): return left
      case (.bool, .unknown): return right
      case (.bool, .bool(let b)): return .bool(b)
      default:
        let culprit = left.typeName == "bool" ? right : left
        throw EvaluationError("'\(op.rawValue)' takes booleans, not a \(culprit.typeName)", at: span)
      }
    }
    let right = try evaluate(rhs, in: context)
    switch (left, right) {
    case (.unknown(let a), .unknown(let b)): return .unknown(a.merged(b))
    case (.unknown, _): return left
    case (_, .unknown): return right
    default: break
    }
    switch op {
    case .equal: return .bool(equal(left, right))
    case .notEqual: return .bool(!equal(left, right))
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      let order = try compare(left, right, op, span)
      switch op {
      case .less: return .bool(order < 0)
      case .lessOrEqual: return .bool(order <= 0)
      case .greater: return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    case .in:
      switch right {
      case .list(let items): return .bool(items.contains { equal($0, left) })
      case .string(let s):
        guard case .string(let needle) = left else { break }
        return .bool(s.contains(needle))
      case .map(let m):
        guard case .string(let key) = left else { break }
        return .bool(m[key] != nil)
      default: break
      }
      throw EvaluationError("'in' cannot look for a \(left.typeName) in a \(right.typeName)", at: span)
    case .add:
      switch (left, right) {
      case (.string(let a), .string(let b)): return .string(a + b)
      case (.list(let a), .list(let b)): return .list(a + b)
      default: return try arithmetic(op, left, right, span)
      }
    case .subtract, .multiply, .divide, .remainder:
      return try arithmetic(op, left, right, span)
    case .and, .or:
      fatalError("handled above")
    }
  }

  private static func arithmetic(
    _ op: Expression.BinaryOperator, _ left: Value, _ right: Value, _ span: Expression.Span
  ) throws(EvaluationError) -> Value {
    switch (left, right) {
    case (.int(let a), .int(let b)):
      let result: (Int64, Bool)
      switch op {
      case .add: result = a.addingReportingOverflow(b)
      case .subtract: result = a.subtractingReportingOverflow(b)
      case .multiply: result = a.multipliedReportingOverflow(by: b)
      case .divide, .remainder:
        if b == 0 { throw EvaluationError("division by zero", at: span) }
        result = op == .divide ? a.dividedReportingOverflow(by: b) : a.remainderReportingOverflow(dividingBy: b)
      default: fatalError("not arithmetic")
      }
      if result.1 { throw EvaluationError("integer overflow in \(a) \(op.rawValue) \(b)", at: span) }
      return .int(result.0)
    case (.bigInteger(let digits), _), (_, .bigInteger(let digits)):
      throw EvaluationError("integer \(digits) is beyond 64 bits: it compares and prints exactly, but '\(op.rawValue)' does not apply to it", at: span)
    default:
      guard let a = decimal(left), let b = decimal(right) else {
        throw EvaluationError("'\(op.rawValue)' does not apply to a \(left.typeName) and a \(right.typeName)", at: span)
      }
      let result: Double
      switch op {
      case .add: result = a + b
      case .subtract: result = a - b
      case .multiply: result = a * b
      case .divide:
        if b == 0 { throw EvaluationError("division by zero", at: span) }
        result = a / b
      default: throw EvaluationError("'%' takes integers", at: span)
      }
      // Infinity and NaN print as nothing JSON can hold and compare as nothing: an error, as
      // integer overflow is.
      guard result.isFinite else { throw EvaluationError("decimal overflow in \(Value.format(a)) \(op.rawValue) \(Value.format(b))", at: span) }
      return .decimal(result)
    }
  }

  /// A number as a decimal: only for mixing an integer with a decimal.
  private static func decimal(_ value: Value) -> Double? {
    switch value {
    case .int(let i): Double(i)
    case .decimal(let d): d
    default: nil
    }
  }

  static func equal(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.int(let x), .decimal(let y)), (.decimal(let y), .int(let x)): Double(exactly: x).map { $0 == y } ?? false
    default: a == b
    }
  }

  private static func compare(_ a: Value, _ b: Value, _ op: Expression.BinaryOperator, _ span: Expression.Span) throws(EvaluationError) -> Int {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.int, .bigInteger), (.bigInteger, .int), (.bigInteger, .bigInteger): return Value.compareIntegers(a.plainText, b.plainText)
    case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    default:
      guard let x = decimal(a), let y = decimal(b) else {
        throw EvaluationError("'\(op.rawValue)' cannot compare a \(a.typeName) with a \(b.typeName)", at: span)
      }
      return x < y ? -1 : (x == y ? 0 : 1)
    }
  }
}
