/// The plan as Markdown, for a change ticket or a pull request.
extension Plan {
  public func markdown() -> String {
    var out = "## Plan: `\(runbook.name)`"
    if let title = runbook.title { out += " — \(title)" }
    out += "\n\nRunbook `\(runbook.file)`, sha256 `\(runbook.sha256)`. Lock `\(lock.plainText)`.\n"
    if let description = runbook.description { out += "\n\(description.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
    if !params.isEmpty {
      out += "\n| Param | Value | From |\n|---|---|---|\n"
      for p in params { out += "| `\(p.name)` | \(Self.cell(Self.show(p.value))) | \(p.origin.rawValue) |\n" }
    }
    if !preconditions.isEmpty {
      out += "\n### Before the first step\n\n```\n"
      for check in preconditions { out += Self.lines(check, indent: "") }
      out += "```\n"
    }
    for (index, stage) in stages.enumerated() {
      out += "\n### Stage \(index + 1)\(stage.count > 1 ? " (\(stage.count) steps in parallel)" : "")\n"
      for step in stage {
        out += "\n#### `\(step.call.effect.marker)` `\(step.id)`\(step.title.map { " — " + $0.plainText } ?? "")\n\n"
        out += "- Action: `\(step.call.action)` (\(step.call.effect.rawValue), \(step.idempotent ? "idempotent" : "not idempotent"))\n"
        if !step.needs.isEmpty { out += "- Needs: \(step.needs.map { "`\($0)`" }.joined(separator: ", "))\n" }
        if let approval = step.approval { out += "- **Approval:** \(approval.plainText)\n" }
        out += "\n```\n" + Self.lines(step) + "```\n"
      }
    }
    out += "\n**\(summary.sentence)**\n"
    return out
  }

  private static func cell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }
}

import Foundation
