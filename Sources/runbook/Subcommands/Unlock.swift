import ArgumentParser
import Foundation
import RunbookKit

/// `runbook unlock LOCK --force`: releases a lock whoever holds it, journaled on the displaced
/// run with who did it; for a holder the engine cannot prove gone (another host, another pid
/// namespace, a process that never lets go).
struct Unlock: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Release a lock whoever holds it (journaled with who did it and whom it displaced).",
    discussion: "A lock whose holder's process is gone is taken over by the next run by itself; this is for the rest.")

  @Argument(help: ArgumentHelp("The lock's name (see `runbook locks`).", valueName: "lock"))
  var name: String

  @Flag(help: "Required: the holder may still be running, and two runs would then touch the same target.")
  var force = false

  @OptionGroup var state: StateOptions

  func run() throws {
    guard force else {
      Terminal.standardError("error: unlock releases '\(name)' even if its holder still runs; say --force if you mean it\n")
      throw ExitStatus.invalidInput
    }
    guard let store = try state.openExistingStore() else {
      Terminal.standardError("error: no lock '\(name)' is held in \(state.path); `runbook locks\(state.hint)` lists them\n")
      throw ExitStatus.invalidInput
    }
    let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
    let by = "\(user)@\(RunDriver.host) (pid \(getpid()))"
    let displaced: LockHolder?
    do {
      displaced = try store.forceReleaseLock(name) { holder in
        JournalEvent(runID: holder.runID, at: Date(), kind: "lock.released_by_force", message: "lock '\(holder.name)' released by force by \(by); it was held by \(holder.description)")
      }
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw ExitStatus.invalidInput
    }
    guard let displaced else {
      Terminal.standardError("error: no lock '\(name)' is held in \(store.path); `runbook locks\(state.hint)` lists them\n")
      throw ExitStatus.invalidInput
    }
    Terminal.standardOutput("released lock '\(name)', held by \(displaced.description); journaled on run \(displaced.runID) as done by \(by)\n")
  }
}
