import RunbookYAML

/// Diagnostics of `${{ }}` expressions: syntax, and references checked before anything runs.
extension Diagnostic {
  public static func expressionSyntax(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E301", message: "expression: \(message)", range: range)
  }

  public static func unknownName(_ name: String, allowed: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "E302", message: "unknown name '\(name)'; names here are \(allowed.joined(separator: ", "))", range: range
    ).suggesting(Suggestion.closest(to: name, in: allowed))
  }

  public static func unknownParamReference(_ name: String, known: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E303", message: "unknown param '\(name)'", range: range)
      .suggesting(Suggestion.closest(to: name, in: known))
  }

  public static func unknownStepReference(_ id: String, known: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E304", message: "unknown step '\(id)'", range: range)
      .suggesting(Suggestion.closest(to: id, in: known))
  }

  public static func notAnAncestor(_ id: String, from step: String?, at range: SourceRange) -> Diagnostic {
    let message =
      if let step {
        "step '\(step)' reads step '\(id)', which is not among its ancestors through 'needs'"
      } else {
        "step '\(id)' cannot be read here: no step has run yet"
      }
    let hint = step.map { "add '\(id)' to the needs of '\($0)'" }
    var diagnostic = Diagnostic(code: "E305", message: message, range: range)
    if let hint { diagnostic = diagnostic.note(hint) }
    return diagnostic
  }

  public static func undeclaredOutput(_ output: String, step: String, action: String, declared: [String], at range: SourceRange) -> Diagnostic {
    let list = declared.isEmpty ? "it declares no outputs" : "it declares \(declared.joined(separator: ", "))"
    return Diagnostic(
      code: "E306", message: "action '\(action)' of step '\(step)' has no output '\(output)'; \(list)", range: range
    ).suggesting(Suggestion.closest(to: output, in: declared))
  }

  public static func unknownFunction(_ name: String, known: [String], at range: SourceRange) -> Diagnostic {
    if let written = ExpressionParser.operatorWords[name] {
      return Diagnostic(code: "E307", message: "unknown function '\(name)'", range: range).note("the operator is written '\(written)'")
    }
    return Diagnostic(code: "E307", message: "unknown function '\(name)'", range: range)
      .suggesting(Suggestion.closest(to: name, in: known))
  }

  public static func wrongArgumentCount(_ name: String, expected: String, found: Int, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E308", message: "\(name)() takes \(expected), not \(found)", range: range)
  }

  public static func checkOutsideCheck(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "E309", message: "'check' is only known inside a check (preconditions, verify, skip_if)", range: range)
  }

  public static func unknownField(_ field: String, of what: String, allowed: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "E310", message: "\(what) has no field '\(field)'; " + (allowed.isEmpty ? "it has none" : "it has \(allowed.joined(separator: ", "))"), range: range
    ).suggesting(Suggestion.closest(to: field, in: allowed))
  }

  public static func unterminatedExpression(at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E311", message: "'${{' is never closed by '}}'", range: range)
  }

  public static func evaluationFailed(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E312", message: "cannot evaluate before the run: \(message)", range: range)
  }

  public static func argumentTooLong(_ problem: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E313", message: "cannot pass to the program: \(problem)", range: range)
  }
}
