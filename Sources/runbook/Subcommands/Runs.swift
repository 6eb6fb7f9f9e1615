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
    let runs: [RunRecord]
    let engines: RunSummary.Engines
    do {
      let store = try state.openExistingStore()
      runs = try store?.runs() ?? []
      engines = RunSummary.Engines(locks: try store?.locks() ?? [])
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw ExitStatus.invalidInput
    }
    switch format {
    case .json:
      Terminal.standardOutput(JSONValue.array(runs.map { RunSummary.json($0, engines.standing($0)) }).serialized() + "\n")
    case .text:
      guard !runs.isEmpty else {
        Terminal.standardOutput("no runs in \(state.path)\n")
        return
      }
      let rows = runs.map { [$0.id, $0.runbookName, RunSummary.status($0, engines.standing($0)), RunSummary.time($0.startedAt), RunSummary.duration($0), $0.file] }
      Terminal.standardOutput(RunSummary.table(header: ["RUN", "RUNBOOK", "STATUS", "STARTED", "DURATION", "FILE"], rows: rows))
    }
  }
}
