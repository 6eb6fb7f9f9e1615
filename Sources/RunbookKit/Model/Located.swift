import RunbookYAML

/// A value together with where it was written.
public struct Located<Wrapped: Sendable>: Sendable {
  public var value: Wrapped
  public var range: SourceRange

  public init(_ value: Wrapped, at range: SourceRange) {
    self.value = value
    self.range = range
  }
}
