import RunbookYAML

/// Diagnostics of the YAML stage: the text itself cannot be read as one YAML document.
extension Diagnostic {
  public static func yaml(_ problem: YAMLProblem) -> Diagnostic {
    let code: String
    var notes: [Note] = []
    switch problem.kind {
    case .syntax: code = "Y001"
    case .tab: code = "Y002"
    case .invalidUTF8: code = "Y003"
    case .tooLarge: code = "Y004"
    case .tooDeep: code = "Y005"
    case .aliasExpansion: code = "Y006"
    case .unknownAnchor: code = "Y007"
    case .duplicateKey(_, let first):
      code = "Y008"
      notes.append(Note("first defined here", at: first))
    case .nonScalarKey: code = "Y009"
    case .badMerge: code = "Y010"
    case .multipleDocuments: code = "Y011"
    case .unsupportedTag: code = "Y012"
    case .integerOutOfRange: code = "Y013"
    }
    return Diagnostic(code: Code(code), message: problem.message, range: problem.range, notes: notes)
  }

  public static func emptyDocument() -> Diagnostic {
    Diagnostic(
      code: "Y014", message: "the file is empty; a runbook starts with 'runbook: 1'",
      range: SourceRange(line: 1, column: 1, length: 1))
  }

  public static func unreadableFile(_ path: String, reason: String) -> Diagnostic {
    Diagnostic(code: "Y015", message: "cannot read \(path): \(reason)", file: path)
  }
}

extension Diagnostic.Code: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self.init(value) }
}
