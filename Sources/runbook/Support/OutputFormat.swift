import ArgumentParser

/// `--format` of the commands that print a result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// `--format` of `runbook plan`.
enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, markdown, dot, mermaid
}
