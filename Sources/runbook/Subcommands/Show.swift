import ArgumentParser
import Foundation
import RunbookKit

/// `runbook show`: one run, every step and iteration.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show a run: every step and iteration with status, attempts, start, duration, outputs, error and output tail.")

  @Argument(help: ArgumentHelp("The run id.", valueName: "run"))
  var runID: String

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  @OptionGroup var state: StateOptions

  func run() throws {
    guard let store = try state.openExistingStore(), let run = try? store.run(runID), let steps = try? store.steps(ofRun: runID),
      let events = try? store.events(ofRun: runID)
    else {
      Terminal.standardError("error: no run '\(runID)' in \(state.path); `runbook runs\(state.hint)` lists them\n")
      throw ExitStatus.invalidInput
    }
    let standing = RunSummary.Engines(locks: (try? store.locks()) ?? []).standing(run)
    switch format {
    case .json:
      var json = RunSummary.json(run, standing)
      if case .object(var members) = json {
        members.append(.init("params", .object(run.params.keys.sorted().map { .init($0, run.params[$0]!) })))
        members.append(.init("steps", .array(RunSummary.ordered(steps).map(RunSummary.json))))
        members.append(.init("journal", .array(events.map(RunSummary.json))))
        json = .object(members)
      }
      Terminal.standardOutput(json.serialized() + "\n")
    case .text:
      Terminal.standardOutput(RunSummary.text(run, steps: steps, standing: standing, events: events, hint: state.hint))
    }
  }
}
