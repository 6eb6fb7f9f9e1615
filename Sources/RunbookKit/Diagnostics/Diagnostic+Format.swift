import RunbookYAML

/// Diagnostics of the format stage: the document is YAML but not a valid runbook of format v1.
extension Diagnostic {
  public static func unknownKey(_ key: String, in context: String, at range: SourceRange, suggestion: String?) -> Diagnostic {
    Diagnostic(code: "R101", message: "unknown key '\(key)' in \(context)", range: range).suggesting(suggestion)
  }

  public static func wrongKind(_ what: String, expected: String, found: YAMLNode) -> Diagnostic {
    Diagnostic(code: "R102", message: "\(what) must be \(expected), not \(article(found.kindDescription))", range: found.range)
  }

  public static func missingKey(_ key: String, in context: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R103", message: "\(context) is missing the required key '\(key)'", range: range)
  }

  public static func unsupportedVersion(_ found: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R104", message: "unsupported runbook format version \(found); this engine reads version 1", range: range)
  }

  public static func missingVersion(at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R104", message: "missing the format version: a runbook starts with 'runbook: 1'", range: range)
  }

  public static func badName(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R105", message: "invalid runbook name '\(name)': use lowercase letters, digits and '-'", range: range)
  }

  public static func badStepID(_ id: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R106", message: "invalid step id '\(id)': use lowercase letters, digits, '_' and '-'", range: range)
  }

  public static func duplicateStepID(_ id: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
    Diagnostic(code: "R107", message: "duplicate step id '\(id)'", range: range, notes: [Note("first defined here", at: first)])
  }

  public static func badDuration(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R108",
      message: "invalid duration '\(text)': write a number and a unit, e.g. 500ms, 30s, 5m, 1h30m",
      range: range)
  }

  public static func badChoice(_ what: String, _ found: String, allowed: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R109", message: "\(what) must be one of \(allowed.joined(separator: ", ")), not '\(found)'", range: range
    ).suggesting(Suggestion.closest(to: found, in: allowed))
  }

  public static func requiresKey(_ key: String, because other: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R110", message: "'\(key)' has no effect without '\(other)'", range: range)
  }

  public static func hostsWithForEach(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R117", message: "a step cannot have both 'on' and 'for_each'", range: range,
      notes: [.init("split it: one step per host list, or give the hosts to 'on' and the items to a step before it")])
  }

  public static func outOfRange(_ what: String, _ value: Int64, minimum: Int64, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R111", message: "\(what) must be at least \(minimum), not \(value)", range: range)
  }

  public static func noSteps(at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "R112", message: "a runbook needs at least one step under 'steps'", range: range)
  }

  public static func notACondition(_ what: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R113", message: "\(what) must be true, false, or exactly one ${{ }} expression", range: range)
  }

  public static func reservedName(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R114", message: "'\(name)' is a reserved name and cannot be used for the for_each item", range: range)
  }

  public static func expressionInRunbookTitle(at range: SourceRange) -> Diagnostic {
    var diagnostic = Diagnostic(
      code: "R115", message: "the runbook's title is shown as written ('${{ }}' is not evaluated there): `list` and `describe` show it before any param is known",
      range: range)
    diagnostic.notes = [.init("name params in a step's title instead")]
    return diagnostic
  }

  public static func allowedSignersNotAbsolute(_ path: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "R116", message: "review's allowed_signers must be an absolute path, written out, not '\(path)'", range: range
    ).note("a relative path would name another file in each directory apply runs in, and ${{ }} is not evaluated there")
  }

  static func article(_ word: String) -> String {
    ["a", "e", "i", "o", "u"].contains(word.first.map(String.init) ?? "") ? "an \(word)" : "a \(word)"
  }
}
