import Foundation
import RunbookActions
import RunbookKit
import RunbookStore

/// What `apply` and `resume` share around a `RunSession`: the progress renderer, the signal
/// trap, the approver on the terminal, the last line, and the exit code of docs/running.md,
/// "Exit codes". The session owns the run; this only draws it.
struct RunDriver {
  var store: SQLiteStateStore
  var registry: ActionRegistry
  var format: OutputFormat
  var interactive: Bool
  /// The options a printed command needs to find this journal (`StateOptions.hint`).
  var hint: String
  /// How the run's steps on hosts reach them (`HostTransport`).
  var hostRunner: (any HostRunner)?

  static var host: String { ProcessInfo.processInfo.hostName }

  var session: RunSession {
    var session = RunSession(store: store, registry: registry, commandSuffix: hint)
    session.hostRunner = hostRunner
    return session
  }

  /// Runs `body` (a session's apply or resume) with the terminal attending, then reports how
  /// it ended and throws its exit status.
  func drive(
    _ body: (RunSession, RunSession.Attendance) async throws(RunSessionError) -> RunSession.Finished
  ) async throws(ExitStatus) {
    let style: ProgressRenderer.Style = format == .json ? .json : (isatty(STDOUT_FILENO) == 1 ? .live : .lines)
    let renderer = ProgressRenderer(style: style)
    let interruption = Interruption()
    let trap = SignalTrap(interruption) { signalNumber, first in
      let name = signalNumber == SIGINT ? "SIGINT" : "SIGTERM"
      Terminal.standardError(first
        ? "\n\(name): starting nothing new; running steps got the signal (send it again to kill them)\n"
        : "\n\(name) again: killing running steps\n")
    }
    let attendance = RunSession.Attendance(
      observer: renderer, approver: TerminalApprover(interactive: interactive, renderer: renderer, interruption: interruption),
      interruption: interruption
    ) { [format, store] run, plan in
      // The first line of a new run, before any step: its id.
      if format == .text {
        let count = plan.model.steps.count
        Terminal.standardOutput("run \(run.id): \(run.runbookName), \(count) step\(count == 1 ? "" : "s") (journal: \(store.path))\n")
      } else {
        Terminal.standardOutput(RunEvent(.runStarted, runID: run.id, message: run.runbookName).json.serialized(pretty: false) + "\n")
      }
    }
    let finished: RunSession.Finished
    do {
      finished = try await body(session, attendance)
    } catch {
      renderer.stop()
      Terminal.standardError("error: \(error.message)\n")
      throw Self.exitStatus(for: error)
    }
    withExtendedLifetime(trap) {}
    renderer.stop()
    report(finished, renderer: renderer)
    throw Self.exitStatus(for: finished.outcome)
  }

  private func report(_ finished: RunSession.Finished, renderer: ProgressRenderer) {
    let id = finished.runID
    let message: String
    switch finished.outcome {
    case .succeeded: message = "every step is done"
    case .failed(let steps):
      message = "at \(steps.joined(separator: ", ")); see: runbook show \(id)\(hint); then: runbook resume \(id)\(hint)"
    case .blocked(let step, let reason):
      message = (step.map { "at \($0): " } ?? "") + reason + "; once it can go on: runbook resume \(id)\(hint)"
    case .paused(let steps):
      let approvals = steps.map { " --approve \($0)" }.joined()
      message = "for approval; to continue: runbook resume \(id)\(approvals)\(hint)"
    case .interrupted: message = "to continue: runbook resume \(id)\(hint)"
    }
    renderer.observe(RunEvent(.runFinished, runID: id, status: finished.outcome.runStatus.rawValue, message: message))
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

  static func exitStatus(for error: RunSessionError) -> ExitStatus {
    switch error.code {
    case .locked, .stillRunning: .locked
    case .journal: .stepFailed
    case .stale: .blocked
    case .interrupted: .interrupted
    default: .invalidInput
    }
  }
}
