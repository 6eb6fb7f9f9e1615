import Foundation

/// What the executor reports as a run goes: to the terminal, to `--format json`, to tests.
public struct RunEvent: Sendable {
  public enum Kind: String, Sendable {
    case runStarted = "run.started"
    case preconditionFailed = "run.precondition_failed"
    case stepStarted = "step.started"
    case stepOutput = "step.output"
    case stepRetrying = "step.retrying"
    case stepFinished = "step.finished"
    /// A precondition, `skip_if` or `verify` check was evaluated (status `held`, `not_held`,
    /// `not_checked`, `broken`), so a log of a run shows that its guards ran.
    case checkEvaluated = "check.evaluated"
    case runFinished = "run.finished"
    case note
  }

  public var kind: Kind
  public var at: Date
  public var runID: String
  public var step: String?
  public var iteration: Int?
  /// The inventory host of a step on hosts.
  public var host: String?
  /// An iteration's item as a short label (`m2`), so output names what it works on.
  public var item: String?
  /// What a `check.evaluated` check guards: `run precondition`, `precondition`, `skip_if`, `verify`.
  public var check: String?
  public var attempt: Int?
  public var status: String?
  public var message: String?
  public var line: OutputLine?
  /// Seconds since the step (or run) started, for finished events.
  public var elapsed: Double?

  public init(
    _ kind: Kind, runID: String, step: String? = nil, iteration: Int? = nil, host: String? = nil, item: String? = nil, check: String? = nil, attempt: Int? = nil, status: String? = nil,
    message: String? = nil, line: OutputLine? = nil, elapsed: Double? = nil, at: Date = Date()
  ) {
    self.kind = kind
    self.at = at
    self.runID = runID
    self.step = step
    self.iteration = iteration
    self.host = host
    self.item = item
    self.check = check
    self.attempt = attempt
    self.status = status
    self.message = message
    self.line = line
    self.elapsed = elapsed
  }

  /// The step as the terminal names it: `talk`, `defrag[1] m2`.
  public var stepLabel: String {
    StepKey(step: step ?? "", iteration: iteration, host: host).label(item: item)
  }

  /// One JSON object, as `apply --format json` prints one per line.
  public var json: JSONValue {
    var members: [JSONValue.Member] = [
      .init("event", .string(kind.rawValue)), .init("at", .string(Self.timestamp(at))), .init("run", .string(runID)),
    ]
    if let step { members.append(.init("step", .string(step))) }
    if let iteration { members.append(.init("iteration", .int(Int64(iteration)))) }
    if let host { members.append(.init("host", .string(host))) }
    if let item { members.append(.init("item", .string(item))) }
    if let check { members.append(.init("check", .string(check))) }
    if let attempt { members.append(.init("attempt", .int(Int64(attempt)))) }
    if let status { members.append(.init("status", .string(status))) }
    if let message { members.append(.init("message", .string(message))) }
    if let line {
      members.append(.init("stream", .string(line.stream.rawValue)))
      members.append(.init("line", .string(line.text)))
    }
    if let elapsed { members.append(.init("elapsed", .double((elapsed * 1000).rounded() / 1000))) }
    return .object(members)
  }

  /// RFC 3339 with milliseconds, UTC: `2026-11-22T04:25:58.123Z`.
  public static func timestamp(_ date: Date) -> String {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    var seconds = time_t(milliseconds / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
  }
}

/// Receives the executor's events as they happen; called from any thread.
public protocol RunObserver: Sendable {
  func observe(_ event: RunEvent)
}

/// Asks a person to approve a step; nil when nobody can be asked (no terminal).
public protocol Approver: Sendable {
  func approve(step: String, message: String) async -> Bool?
}
