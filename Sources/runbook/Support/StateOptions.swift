import ArgumentParser
import Foundation
import RunbookKit
import RunbookStore

/// `--state-dir`, shared by the commands that read or write the journal.
struct StateOptions: ParsableArguments {
  @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the journal lives (default: $RUNBOOK_STATE_DIR, $XDG_STATE_HOME/runbook, ~/.local/state/runbook).", valueName: "dir"))
  var directory: String?

  /// Opens the journal, creating the state directory if needed; failures exit 2 with the reason.
  func openStore() throws(ExitStatus) -> SQLiteStateStore {
    let state = StateDirectory(explicit: directory, environment: ProcessInfo.processInfo.environment)
    do {
      try state.prepare()
      return try SQLiteStateStore(path: state.databasePath)
    } catch {
      Terminal.standardError("error: cannot open the state directory \(state.path): \(error)\n")
      throw .invalidInput
    }
  }
}
