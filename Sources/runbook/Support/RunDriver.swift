import Foundation
import RunbookActions
import RunbookKit
import RunbookStore

/// What `apply` and `resume` share: the lock, the signal trap, the executor, the final status in
/// the journal, and the exit code of docs/running.md, "Exit codes".
struct RunDriver {
  var input: RunbookInput
  var runbook: Runbook
  var graph: StepGraph
  var store: SQLiteStateStore
  var run: RunRecord
  var parallel: Int
  var resume: ResumeInstructions
  var format: OutputFormat
  var interactive: Bool
  /// True for `apply`: the run is recorded once the lock is held, so a locked-out apply leaves
  /// no run behind.
  var isNewRun: Bool
  /// The options a printed command needs to find this journal (`StateOptions.hint`).
  var hint: String

  static var host: String { ProcessInfo.processInfo.hostName }

  func drive() async throws(ExitStatus) {
    let style: ProgressRenderer.Style = format == .json ? .json : (isatty(STDOUT_FILENO) == 1 ? .live : .lines)
    let renderer = ProgressRenderer(style: style)
    let pid = getpid()
    let takenOver = try takeLock()
    defer { try? store.releaseLock(run.lockName, runID: run.id) }
    if isNewRun { try begin() }
    if let previous = takenOver {
      let note = "took over lock '\(run.lockName)' from \(previous.description), whose process is gone"
      try? store.journal(JournalEvent(runID: run.id, at: Date(), kind: "lock.taken_over", message: note))
      renderer.observe(RunEvent(.note, runID: run.id, message: note))
    }
    let interruption = Interruption()
    let trap = SignalTrap(interruption) { signalNumber, first in
      let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
      Terminal.standardError(first
        ? "\n\(name): starting nothing new; running steps got the signal (send it again to kill them)\n"
        : "\n\(name) again: killing running steps\n")
    }
    let executor = Executor(
      runbook: runbook, graph: graph, registry: input.registry, params: input.params, store: store,
      configuration: .init(runID: run.id, runStarted: run.startedAt, parallel: parallel, resume: resume, environment: ProcessInfo.processInfo.environment),
      observer: renderer, approver: TerminalApprover(interactive: interactive, renderer: renderer, interruption: interruption), interruption: interruption)
    let outcome: RunOutcome
    do {
      try store.updateRun(run.id, status: .running, pid: pid, host: Self.host, at: Date())
      outcome = try await executor.run()
      try store.updateRun(run.id, status: outcome.runStatus, pid: pid, host: Self.host, at: Date())
    } catch {
      renderer.stop()
      Terminal.standardError("error: the journal failed, the run stops here: \(error)\n")
      throw .stepFailed
    }
    withExtendedLifetime(trap) {}
    renderer.stop()
    report(outcome, renderer: renderer)
    throw Self.exitStatus(for: outcome)
  }

  /// Records the new run and prints its id, before the first step.
  private func begin() throws(ExitStatus) {
    do {
      try store.beginRun(run)
    } catch let error as StateStoreError where error.code == .duplicateRun {
      Terminal.standardError("error: \(error.message); --run-id must be unique\n")
      throw .invalidInput
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw .invalidInput
    }
    if format == .text {
      let count = runbook.steps.count
      Terminal.standardOutput("run \(run.id): \(runbook.name.value), \(count) step\(count == 1 ? "" : "s") (journal: \(store.path))\n")
    } else {
      Terminal.standardOutput(RunEvent(.runStarted, runID: run.id, message: runbook.name.value).json.serialized(pretty: false) + "\n")
    }
  }

  /// Takes the run's lock; the holder it took over from, if the lock was stale.
  private func takeLock() throws(ExitStatus) -> LockHolder? {
    let holder = LockHolder.current(name: run.lockName, runID: run.id, host: Self.host)
    let outcome: LockOutcome
    do {
      outcome = try store.acquireLock(holder) { current in current.isStale(seenFrom: holder) }
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw .invalidInput
    }
    switch outcome {
    case .acquired:
      return nil
    case .tookOver(let previous):
      return previous
    case .heldBy(let current):
      Terminal.standardError(
        "error: lock '\(run.lockName)' is held by \(current.description); if that run is gone for good, release it with: runbook unlock \(ShellQuoting.quote(run.lockName)) --force\(hint)\n")
      throw .locked
    }
  }

  private func report(_ outcome: RunOutcome, renderer: ProgressRenderer) {
    let message: String
    switch outcome {
    case .succeeded: message = "every step is done"
    case .failed(let steps):
      message = "at \(steps.joined(separator: ", ")); see: runbook show \(run.id)\(hint); then: runbook resume \(run.id)\(hint)"
    case .blocked(let step, let reason):
      message = (step.map { "at \($0): " } ?? "") + reason + "; once it can go on: runbook resume \(run.id)\(hint)"
    case .paused(let steps):
      let approvals = steps.map { " --approve \($0)" }.joined()
      message = "for approval; to continue: runbook resume \(run.id)\(approvals)\(hint)"
    case .interrupted: message = "to continue: runbook resume \(run.id)\(hint)"
    }
    renderer.observe(RunEvent(.runFinished, runID: run.id, status: outcome.runStatus.rawValue, message: message))
  }

  static func exitStatus(for outcome: RunOutcome) -> ExitStatus {
    switch outcome {
    case .succeeded: .success
    case .failed: .stepFailed
    case .blocked: .blocked
    case .paused: .paused
    case .interrupted: .interrupted
    }
  }
}
