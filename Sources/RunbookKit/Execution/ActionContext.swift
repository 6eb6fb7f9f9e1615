import Foundation

/// What an action gets besides its inputs while it runs: who runs it, where its output goes,
/// and how it is told to stop.
public struct ActionContext: Sendable {
  public var runID: String
  public var step: String
  public var iteration: Int?
  /// The engine's own environment, for actions that start processes.
  public var environment: [String: String]
  /// Receives each line of output as it is produced.
  public var output: @Sendable (OutputLine) -> Void
  /// Signals from the operator, forwarded to the action's child processes.
  public var interruption: Interruption
  /// Called once a child process group has started, before the action waits for it; `bootID`
  /// names the boot of the machine it runs on when that is not this one (an inventory host).
  public var processStarted: @Sendable (_ processGroup: Int32, _ bootID: String?) -> Void
  /// Runs a read-only check by name and gives its outputs (for `wait`).
  public var runCheck: @Sendable (_ action: String, _ inputs: [String: Value]) async throws -> [String: Value]
  /// Evaluates an `expression` input in the step's scope with `check` bound to the given outputs.
  public var evaluateExpect: @Sendable (_ expression: String, _ check: [String: Value]) throws -> Value
  /// Runs another action by name where the step is placed (on the step's host, for an action
  /// that runs on the engine) and gives its outputs, its output lines the step's own: how
  /// `file.push` hands bytes read here to `file.extract` on a host without journaling them.
  /// Unlike `runCheck` it may mutate; a probe refuses any action but a read-only one.
  public var runAction: @Sendable (_ action: String, _ inputs: [String: Value]) async throws -> [String: Value]

  public init(
    runID: String, step: String, iteration: Int? = nil, environment: [String: String],
    output: @escaping @Sendable (OutputLine) -> Void, interruption: Interruption,
    processStarted: @escaping @Sendable (Int32, String?) -> Void = { _, _ in },
    runCheck: @escaping @Sendable (String, [String: Value]) async throws -> [String: Value],
    evaluateExpect: @escaping @Sendable (String, [String: Value]) throws -> Value,
    runAction: @escaping @Sendable (String, [String: Value]) async throws -> [String: Value] = { name, _ in
      throw ActionError(.cannotStart, "\(name) cannot be run from here")
    }
  ) {
    self.runAction = runAction
    self.processStarted = processStarted
    self.runCheck = runCheck
    self.evaluateExpect = evaluateExpect
    self.runID = runID
    self.step = step
    self.iteration = iteration
    self.environment = environment
    self.output = output
    self.interruption = interruption
  }
}

/// One line an action printed.
public struct OutputLine: Sendable, Equatable {
  public enum Stream: String, Sendable { case stdout, stderr }
  public var stream: Stream
  public var text: String

  public init(_ stream: Stream, _ text: String) {
    self.stream = stream
    self.text = text
  }
}

/// What an action produced: its outputs, readable as `steps.ID.outputs.NAME` or `check.NAME`.
public struct ActionResult: Sendable {
  public var outputs: [String: Value]

  public init(_ outputs: [String: Value] = [:]) {
    self.outputs = outputs
  }
}

/// An operational failure of an action: a code to branch on, a message for the operator, a cause.
public struct ActionError: Error, Sendable, CustomStringConvertible {
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let failed = Code("failed")
    public static let timedOut = Code("timed-out")
    public static let interrupted = Code("interrupted")
    public static let invalidInput = Code("invalid-input")
    public static let cannotStart = Code("cannot-start")
    public static let brokenPlugin = Code("broken-plugin")
    /// The action started but how it ended is not known (the connection to its host dropped):
    /// the step is in doubt, as after the engine died, and is not retried.
    public static let outcomeUnknown = Code("outcome-unknown")
  }

  public var code: Code
  public var message: String
  public var cause: (any Error)?
  /// Outputs known despite the failure (a command's exit code and output tail).
  public var outputs: [String: Value]

  public init(_ code: Code, _ message: String, cause: (any Error)? = nil, outputs: [String: Value] = [:]) {
    self.code = code
    self.message = message
    self.cause = cause
    self.outputs = outputs
  }

  public var description: String { message }
}
