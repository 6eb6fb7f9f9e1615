import RunbookYAML

/// Diagnostics of steps on inventory hosts (`on:`), found when the plan is built.
extension Diagnostic {
  public static func noInventory(for patterns: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "E314", message: "this step runs on hosts (\(patterns.joined(separator: ", "))), but no inventory was given", range: range,
      notes: [.init("pass -i INVENTORY (an Ansible INI or YAML inventory) or set RUNBOOK_INVENTORY")])
  }

  /// The inventory's own diagnostic of the pattern (H714, with its "did you mean"), said of
  /// the step's `on:`.
  public static func unknownHosts(_ selection: Diagnostic, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "E315", message: "on: \(selection.message)", range: range, notes: selection.notes.map { Note($0.message) })
  }
}
