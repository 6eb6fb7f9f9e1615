/// The plan as Markdown, for a change ticket or a pull request. Every piece of user text is
/// escaped or fenced (`VisibleText`), so none can open HTML, a comment, a code fence or a table.
extension Plan {
  public func markdown() -> String {
    var out = ""
    if let probe, !probe.wouldProceed {
      out += "> **Blocked now:** apply would stop here:\n"
      for blocker in probe.blockers { out += "> - \(VisibleText.markdown(blocker))\n" }
      out += "\n"
    }
    out += "## Plan: \(VisibleText.code(runbook.name))"
    if let title = runbook.title { out += " — \(VisibleText.markdown(title))" }
    out += "\n\nRunbook \(VisibleText.code(runbook.file)), sha256 `\(runbook.sha256)`. Lock \(VisibleText.code(lock.plainText)).\n"
    if let description = runbook.description {
      out += "\n\(VisibleText.markdown(description.trimmingCharacters(in: .whitespacesAndNewlines), multiline: true))\n"
    }
    if !params.isEmpty {
      out += "\n| Param | Value | From |\n|---|---|---|\n"
      for p in params { out += "| \(VisibleText.code(p.name)) | \(VisibleText.markdown(Self.show(p.value))) | \(p.origin.rawValue) |\n" }
    }
    if let probe {
      out += "\n### Probed facts\n\nRead live at \(RunEvent.timestamp(probe.at)); apply of a sealed plan reads them again and refuses a plan whose facts changed.\n\n"
      out += "| Fact | Value |\n|---|---|\n"
      for fact in probe.facts {
        // A table cell ends at an unescaped `|`, inside a code span too.
        let cells = [fact.name, fact.value.serialized(pretty: false)].map { VisibleText.code($0).replacingOccurrences(of: "|", with: "\\|") }
        out += "| \(cells[0]) | \(cells[1]) |\n"
      }
    }
    if !preconditions.isEmpty {
      out += "\n### Before the first step\n\n"
      out += VisibleText.fenced(preconditions.map { Self.lines($0, indent: "") }.joined())
    }
    for (index, stage) in stages.enumerated() {
      out += "\n### Stage \(index + 1)\(stage.count > 1 ? " (\(stage.count) steps in parallel)" : "")\n"
      for step in stage {
        out += "\n#### `\(step.call.effect.marker)` \(VisibleText.code(step.id))\(step.title.map { " — " + VisibleText.markdown($0.plainText) } ?? "")\n\n"
        out += "- Action: \(VisibleText.code(step.call.action)) (\(step.call.effect.rawValue), \(step.idempotent ? "idempotent" : "not idempotent"))\n"
        if !step.needs.isEmpty { out += "- Needs: \(step.needs.map(VisibleText.code).joined(separator: ", "))\n" }
        if let approval = step.approval { out += "- **Approval:** \(VisibleText.markdown(approval.plainText))\n" }
        out += "\n" + VisibleText.fenced(Self.lines(step))
      }
    }
    out += "\n**\(summary.sentence)**\n"
    return out
  }
}
