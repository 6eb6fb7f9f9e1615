import RunbookYAML

/// A problem in user input: a stable code, a message, where it is, and notes that help fix it.
public struct Diagnostic: Sendable, Hashable {
  public enum Severity: String, Sendable, Hashable {
    case error, warning
  }

  /// A stable identifier such as `R101`; documented in `docs/diagnostics.md`.
  public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
  }

  /// Extra help; with a range it is shown with its own excerpt in the same file.
  public struct Note: Sendable, Hashable {
    public var message: String
    public var range: SourceRange?
    /// The file `range` is in, when it is not the diagnostic's own.
    public var file: String?

    public init(_ message: String, at range: SourceRange? = nil, in file: String? = nil) {
      self.message = message
      self.range = range
      self.file = file
    }
  }

  public var severity: Severity
  public var code: Code
  public var message: String
  /// The file it is about; nil for the command line.
  public var file: String?
  public var range: SourceRange?
  public var notes: [Note]

  public init(
    _ severity: Severity = .error, code: Code, message: String, file: String? = nil,
    range: SourceRange? = nil, notes: [Note] = []
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.range = range
    self.notes = notes
  }

  /// The same diagnostic, said of `file` unless it already names one.
  public func inFile(_ file: String) -> Diagnostic {
    var copy = self
    if copy.file == nil { copy.file = file }
    return copy
  }

  /// The same diagnostic about no place in particular (the command line).
  public var withoutLocation: Diagnostic {
    var copy = self
    copy.range = nil
    copy.file = nil
    return copy
  }

  /// The same diagnostic with one more note.
  public func note(_ message: String, at range: SourceRange? = nil) -> Diagnostic {
    var copy = self
    copy.notes.append(Note(message, at: range))
    return copy
  }

  /// The same diagnostic with a "did you mean" note when there is a suggestion.
  public func suggesting(_ suggestion: String?) -> Diagnostic {
    guard let suggestion else { return self }
    return note("did you mean '\(suggestion)'?")
  }
}

extension Array where Element == Diagnostic {
  public var hasErrors: Bool { contains { $0.severity == .error } }
}
