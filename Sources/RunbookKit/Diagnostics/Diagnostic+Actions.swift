import RunbookYAML

/// Diagnostics of actions and their inputs.
extension Diagnostic {
  public static func unknownAction(_ name: String, known: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "A501", message: "unknown action '\(name)'", range: range)
      .suggesting(Suggestion.closest(to: name, in: known))
      .note("`runbook actions` lists the actions; a plugin is an executable runbook-action-\(name.replacingOccurrences(of: ".", with: "-")) on RUNBOOK_PLUGIN_PATH or PATH")
  }

  public static func unknownInput(_ input: String, action: String, known: [String], at range: SourceRange) -> Diagnostic {
    let list = known.isEmpty ? "it takes none" : "it takes \(known.joined(separator: ", "))"
    return Diagnostic(code: "A502", message: "action '\(action)' has no input '\(input)'; \(list)", range: range)
      .suggesting(Suggestion.closest(to: input, in: known))
  }

  public static func missingInput(_ input: InputSpec, action: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "A503", message: "action '\(action)' needs the input '\(input.name)' (\(input.type.name))", range: range,
      notes: input.description.isEmpty ? [] : [Note("\(input.name): \(input.description)")])
  }

  public static func inputType(_ input: String, action: String, expected: String, found: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "A504", message: "input '\(input)' of action '\(action)' must be \(expected), not \(found)", range: range)
  }

  public static func checkNotReadOnly(_ action: String, effect: Effect, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "A505",
      message: "'\(action)' is \(effect.rawValue) and cannot be used as a check; checks must be read-only actions",
      range: range)
  }

  public static func environmentName(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "A506", message: "'\(name.debugDescription.dropFirst().dropLast())' is not an environment variable name; names are [A-Za-z_][A-Za-z0-9_]*", range: range)
  }

  public static func secretInPublicInput(_ param: String, input: String, action: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "A507", message: "secret param '\(param)' in '\(input)' of '\(action)', which every local user can read in /proc/PID/cmdline",
      range: range
    ).note("pass it through the step's `env:` (env: { TOKEN: ${{ params.\(param) }} }) and read $TOKEN in the program, or use a shell step")
  }
}
