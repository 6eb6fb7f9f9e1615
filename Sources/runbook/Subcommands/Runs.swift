import ArgumentParser
import Foundation
import RunbookKit

/// `runbook runs`: the journaled runs, newest first.
struct Runs: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List journaled runs, newest first.")

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  @OptionGroup var state: StateOptions

  func run() throws {
    let store = try state.openStore()
    let runs: [RunRecord]
    do {
      runs = try store.runs()
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw ExitStatus.invalidInput
    }
    switch format {
    case .json:
      Terminal.standardOutput(JSONValue.array(runs.map(RunSummary.json)).serialized() + "\n")
    case .text:
      guard !runs.isEmpty else {
        Terminal.standardOutput("no runs in \(store.path)\n")
        return
      }
      let rows = runs.map { [$0.id, $0.runbookName, $0.status.rawValue, RunSummary.time($0.startedAt), RunSummary.duration($0), $0.file] }
      Terminal.standardOutput(RunSummary.table(header: ["RUN", "RUNBOOK", "STATUS", "STARTED", "DURATION", "FILE"], rows: rows))
    }
  }
}
