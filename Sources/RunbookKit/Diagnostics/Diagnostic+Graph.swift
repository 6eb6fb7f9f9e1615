import RunbookYAML

/// Diagnostics of the step graph built from `needs`.
extension Diagnostic {
  public static func unknownDependency(_ id: String, of step: String, known: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "G401", message: "step '\(step)' needs unknown step '\(id)'", range: range)
      .suggesting(Suggestion.closest(to: id, in: known))
  }

  public static func selfDependency(_ step: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "G402", message: "step '\(step)' needs itself", range: range)
  }

  /// `path` runs from the deterministic start of the cycle back to it: a → b → c → a.
  public static func dependencyCycle(_ path: [String], at range: SourceRange, edges: [(String, SourceRange)]) -> Diagnostic {
    Diagnostic(
      code: "G403", message: "dependency cycle: \(path.joined(separator: " → "))", range: range,
      notes: edges.map { Note("'\($0.0)' is needed here", at: $0.1) })
  }

  public static func duplicateDependency(_ id: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.warning, code: "G404", message: "'\(id)' is listed twice in needs", range: range)
  }
}
