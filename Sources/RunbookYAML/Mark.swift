/// A 1-based position in a source text; `column` counts Unicode scalars, as libyaml does.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public static func < (lhs: Mark, rhs: Mark) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }

  public var description: String { "\(line):\(column)" }
}

/// A half-open source span from `start` up to `end`.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
  public var start: Mark
  public var end: Mark

  public init(start: Mark, end: Mark) {
    self.start = start
    self.end = max(start, end)
  }

  /// A range covering `length` scalars on one line.
  public init(line: Int, column: Int, length: Int) {
    self.init(start: Mark(line: line, column: column), end: Mark(line: line, column: column + max(length, 1)))
  }

  public var description: String { "\(start)-\(end)" }
}
