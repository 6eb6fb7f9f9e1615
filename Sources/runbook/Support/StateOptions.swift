import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit
import RunbookStore

/// `--state-dir`, shared by the commands that read or write the journal.
struct StateOptions: ParsableArguments {
  @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the journal lives (default: $RUNBOOK_STATE_DIR, $XDG_STATE_HOME/runbook, ~/.local/state/runbook).", valueName: "dir"))
  var directory: String?

  private var state: StateDirectory { StateDirectory(explicit: directory, environment: ProcessInfo.processInfo.environment) }

  /// What a printed hint adds so that, pasted anywhere, it finds this journal: ` --state-dir DIR`
  /// unless the journal is in the default place.
  var hint: String {
    let state = self.state
    guard state.isChosen else { return "" }
    let absolute = state.path.hasPrefix("/") ? state.path : FileManager.default.currentDirectoryPath + "/" + state.path
    return " --state-dir \(ShellQuoting.quote((absolute as NSString).standardizingPath))"
  }

  /// Opens the journal, creating the state directory if needed; failures exit 2 with the reason.
  func openStore() throws(ExitStatus) -> SQLiteStateStore {
    let state = self.state
    do {
      try state.prepare()
      return try SQLiteStateStore(path: state.databasePath)
    } catch {
      throw Self.failure(state, error)
    }
  }

  /// Opens the journal for a lookup: nil when there is none, and nothing is created.
  func openExistingStore() throws(ExitStatus) -> SQLiteStateStore? {
    let state = self.state
    do {
      guard try state.existingJournal() else { return nil }
      return try SQLiteStateStore(path: state.databasePath)
    } catch {
      throw Self.failure(state, error)
    }
  }

  /// Where lookups looked, for "no run … in DIR".
  var path: String { state.databasePath }

  /// The state directory itself (ssh's master sockets live under it).
  var directoryPath: String { state.path }

  private static func failure(_ state: StateDirectory, _ error: any Error) -> ExitStatus {
    Terminal.standardError("error: cannot open the state directory \(state.path): \(error)\n")
    return .invalidInput
  }
}
