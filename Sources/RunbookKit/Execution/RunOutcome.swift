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
  public var retry: Set<String>
  public var markDone: Set<String>

  public init(approve: Set<String> = [], retry: Set<String> = [], markDone: Set<String> = []) {
    self.approve = approve
    self.retry = retry
    self.markDone = markDone
  }
}
