/// How a run (or this stretch of it) ended, which decides the exit code.
public enum RunOutcome: Sendable, Equatable {
  case succeeded
  /// Steps failed; their descendants are blocked.
  case failed(steps: [String])
  /// A precondition did not hold, or a step is in doubt; nothing of the blocking step ran.
  case blocked(step: String?, reason: String)
  /// Waiting for approval of these steps.
  case paused(steps: [String])
  case interrupted

  public var runStatus: RunStatus {
    switch self {
    case .succeeded: .succeeded
    case .failed: .failed
    case .blocked: .blocked
    case .paused: .paused
    case .interrupted: .interrupted
    }
  }
}

/// What an operator said on `resume`: steps to approve, to run again, or to count as done.
public struct ResumeInstructions: Sendable {
  public var approve: Set<String>
  /// Steps (`push`) or single iterations (`push[1]`) to run again.
  public var retry: Set<String>
  /// Steps (`push`) or single iterations (`push[1]`) to count done without running.
  public var markDone: Set<String>

  /// Whether `--retry` names `key`: its step, or, for an iteration, the iteration itself.
  public func retries(_ key: StepKey) -> Bool { retry.contains(key.step) || retry.contains(key.description) }

  /// Whether `--mark-done` names `key`: its step, or, for an iteration, the iteration itself.
  public func marksDone(_ key: StepKey) -> Bool { markDone.contains(key.step) || markDone.contains(key.description) }

  public init(approve: Set<String> = [], retry: Set<String> = [], markDone: Set<String> = []) {
    self.approve = approve
    self.retry = retry
    self.markDone = markDone
  }
}
