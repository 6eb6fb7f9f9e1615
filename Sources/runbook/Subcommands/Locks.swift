import ArgumentParser
import Foundation
import RunbookKit

/// `runbook locks`: the locks held, with their holders and whether each is alive.
struct Locks: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List the locks held, by whom, and whether the holder still runs.")

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  @OptionGroup var state: StateOptions

  func run() throws {
    let store = try state.openStore()
    let locks: [LockHolder]
    do {
      locks = try store.locks()
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw ExitStatus.invalidInput
    }
    let observer = LockHolder.current(name: "", runID: "", host: RunDriver.host)
    func standing(_ holder: LockHolder) -> String {
      if holder.isStale(seenFrom: observer) { return "gone" }
      return holder.host == observer.host && holder.pidNamespace == observer.pidNamespace ? "running" : "cannot check"
    }
    switch format {
    case .json:
      Terminal.standardOutput(JSONValue.array(locks.map { holder in
        [
          "name": .string(holder.name), "run": .string(holder.runID), "pid": .int(Int64(holder.pid)), "host": .string(holder.host),
          "since": .string(RunEvent.timestamp(holder.since)), "boot_id": .string(holder.bootID),
          "pid_namespace": .string(holder.pidNamespace), "holder": .string(standing(holder)),
        ]
      }).serialized() + "\n")
    case .text:
      guard !locks.isEmpty else {
        Terminal.standardOutput("no locks held in \(store.path)\n")
        return
      }
      let rows = locks.map { [$0.name, $0.runID, String($0.pid), $0.host, RunSummary.time($0.since), standing($0)] }
      Terminal.standardOutput(RunSummary.table(header: ["LOCK", "RUN", "PID", "HOST", "SINCE", "HOLDER"], rows: rows))
    }
  }
}
