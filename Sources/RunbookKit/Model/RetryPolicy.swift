/// How often, and how far apart, a failed action is tried again.
public struct RetryPolicy: Sendable, Hashable {
  /// Attempts in all, the first included.
  public var attempts: Int64
  public var delay: RunbookDuration
  /// The factor the delay grows by after each attempt.
  public var backoff: Double

  public init(attempts: Int64, delay: RunbookDuration, backoff: Double) {
    self.attempts = attempts
    self.delay = delay
    self.backoff = backoff
  }
}
