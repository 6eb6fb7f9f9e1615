import ArgumentParser
import RunbookActions
import RunbookKit

/// `runbook schema`: the runbook JSON Schema, generated from the action registry.
struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the runbook JSON Schema (committed as schemas/runbook.schema.json).")

  func run() throws {
    Terminal.standardOutput(RunbookSchema.generate(Registry.load()).serialized() + "\n")
  }
}
