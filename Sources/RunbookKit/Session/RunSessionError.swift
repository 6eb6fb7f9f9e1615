/// Why a run session did not start or go on, with a stable code the command line maps to its
/// exit status (docs/running.md, "Exit codes").
public struct RunSessionError: Error, Sendable, CustomStringConvertible {
  public struct Code: Hashable, Sendable {
    public var rawValue: String
    /// The request cannot be carried out as given (a lock that cannot be evaluated, a run id
    /// taken, a step that does not exist, a secret not given again, a changed runbook).
    public static let invalidInput = Code(rawValue: "invalid-input")
    /// No run of that id in the journal.
    public static let unknownRun = Code(rawValue: "unknown-run")
    /// Another run holds the lock.
    public static let locked = Code(rawValue: "locked")
    /// The run's engine may still be running it.
    public static let stillRunning = Code(rawValue: "still-running")
    /// A plan file too old, or whose probed facts changed since it was reviewed.
    public static let stale = Code(rawValue: "stale")
    /// SIGINT or SIGTERM before the run began.
    public static let interrupted = Code(rawValue: "interrupted")
    /// The journal failed mid-run: the run stops where it is.
    public static let journal = Code(rawValue: "journal")
  }

  public var code: Code
  public var message: String
  public var cause: (any Error)?

  public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  public var description: String { message }
}
