import RunbookYAML

/// Diagnostics of params: their declarations in a runbook and the values given for them.
extension Diagnostic {
  public static func badParamName(_ name: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "P201", message: "invalid param name '\(name)': use letters, digits and '_'", range: range)
  }

  public static func paramDefaultType(_ param: String, type: ParamType, problem: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "P202", message: "default of param '\(param)' is not a valid \(type.rawValue): \(problem)", range: range)
  }

  public static func requiredWithDefault(_ param: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "P203", message: "param '\(param)' is required and has a default; keep one of the two", range: range)
  }

  public static func badPattern(_ param: String, reason: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "P204", message: "pattern of param '\(param)' is not a valid regular expression: \(reason)", range: range)
  }

  public static func missingParam(_ spec: ParamSpec) -> Diagnostic {
    let how = spec.env.map { "give it with -p \(spec.name)=VALUE or in $\($0)" } ?? "give it with -p \(spec.name)=VALUE or in a --params file"
    return Diagnostic(code: "P206", message: "missing required param '\(spec.name)' (\(spec.type.rawValue)): \(how)", notes: describe(spec))
  }

  public static func paramValue(_ spec: ParamSpec, _ problem: String, file: String? = nil, at range: SourceRange? = nil) -> Diagnostic {
    if spec.secret {
      return Diagnostic(
        code: "P207", message: "param '\(spec.name)' \(secretNote): it is not a valid \(spec.type.rawValue)", file: file, notes: describe(spec))
    }
    return Diagnostic(code: "P207", message: "param '\(spec.name)' \(problem)", file: file, range: range, notes: describe(spec))
  }

  /// What a diagnostic says in place of a secret value; it also drops the source excerpt.
  static let secretNote = "(secret, its value not shown)"

  /// A value quoted for a message: control characters escaped, at most 60 characters.
  public static func quoted(_ value: String) -> String {
    let shown = VisibleText.line(value)
    return "'" + (shown.count > 60 ? shown.prefix(60) + "…" : shown) + "'"
  }

  public static func secretWithDefault(_ param: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "P215", message: "secret param '\(param)' has a default, which would be stored with the runbook text in every journal and plan",
      range: range
    ).note("remove the default; give the secret with -p, a params file or the variable named by its env:")
  }

  public static func nulInParam(_ spec: ParamSpec, file: String? = nil, at range: SourceRange? = nil) -> Diagnostic {
    Diagnostic(
      code: "P214", message: "param '\(spec.name)' holds a NUL character, which would cut an argument short; NUL is refused in every value",
      file: file, range: spec.secret ? nil : range)
  }

  public static func unknownParam(_ name: String, known: [String], file: String? = nil, at range: SourceRange? = nil) -> Diagnostic {
    Diagnostic(
      code: "P208", message: "unknown param '\(name)'", file: file, range: range,
      notes: known.isEmpty ? [Note("this runbook takes no params")] : []
    ).suggesting(Suggestion.closest(to: name, in: known))
  }

  public static func notInEnum(_ spec: ParamSpec, _ value: String, file: String? = nil, at range: SourceRange? = nil) -> Diagnostic {
    let allowed = (spec.allowed ?? []).map(\.plainText).joined(separator: ", ")
    let given = spec.secret ? secretNote : "not \(quoted(value))"
    return Diagnostic(
      code: "P209", message: "param '\(spec.name)' must be one of \(allowed), \(given)", file: file, range: spec.secret ? nil : range,
      notes: describe(spec))
  }

  public static func patternMismatch(_ spec: ParamSpec, _ value: String, file: String? = nil, at range: SourceRange? = nil) -> Diagnostic {
    Diagnostic(
      code: "P210", message: "param '\(spec.name)' value \(spec.secret ? secretNote : quoted(value)) does not match the pattern \(spec.pattern ?? "")",
      file: file, range: spec.secret ? nil : range, notes: describe(spec))
  }

  public static func badParamArgument(_ argument: String) -> Diagnostic {
    Diagnostic(code: "P211", message: "'-p \(argument)' is not of the form KEY=VALUE")
  }

  public static func paramsFileShape(_ found: YAMLNode, file: String) -> Diagnostic {
    Diagnostic(
      code: "P212", message: "a params file is a mapping of param names to values, not \(article(found.kindDescription))",
      file: file, range: found.range)
  }

  public static func sealedParam(_ name: String) -> Diagnostic {
    Diagnostic(code: "P213", message: "param '\(name)' is sealed in the plan file and cannot be changed")
      .note("only secret params are given again; make a new plan to change '\(name)'")
  }

  private static func describe(_ spec: ParamSpec) -> [Note] {
    var notes: [Note] = []
    if let description = spec.description, !description.isEmpty {
      notes.append(Note("\(spec.name): \(description)"))
    }
    notes.append(Note("declared here", at: spec.range, in: spec.file))
    return notes
  }
}
