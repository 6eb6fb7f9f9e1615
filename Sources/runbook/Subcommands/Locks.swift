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
    let locks: [LockHolder]
    do {
      locks = try state.openExistingStore()?.locks() ?? []
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw ExitStatus.invalidInput
    }
    let observer = LockHolder.current(name: "", runID: "", host: RunDriver.host)
    func standing(_ holder: LockHolder) -> String { holder.standing(seenFrom: observer).rawValue }
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
        Terminal.standardOutput("no locks held in \(state.path)\n")
        return
      }
      let rows = locks.map { [$0.name, $0.runID, String($0.pid), $0.host, RunSummary.time($0.since), standing($0)] }
      Terminal.standardOutput(RunSummary.table(header: ["LOCK", "RUN", "PID", "HOST", "SINCE", "HOLDER"], rows: rows))
    }
  }
}
