/// The names an expression can read: `params`, `steps`, `check`, the `for_each` item, `run`, `env`.
public struct EvaluationContext: Sendable {
  public var variables: [String: Value]

  public init(variables: [String: Value] = [:]) {
    self.variables = variables
  }

  /// The same context with one more name bound.
  public func binding(_ name: String, to value: Value) -> EvaluationContext {
    var copy = self
    copy.variables[name] = value
    return copy
  }
}

/// A failure while evaluating an expression at run time (or at plan time, with known values).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
  public var message: String
  public var span: Expression.Span

  public init(_ message: String, at span: Expression.Span) {
    self.message = message
    self.span = span
  }

  public var description: String { message }
}
