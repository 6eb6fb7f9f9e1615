import Foundation

/// The journaled state of one step, of one iteration of a `for_each` step, or of a step on one
/// inventory host.
public struct StepRecord: Sendable, Equatable {
  public var runID: String
  public var step: String
  /// The inventory host it ran on, for a step with `on:`; nil for what runs where `runbook` runs.
  public var host: String?
  /// The iteration's index for a `for_each` step; nil for the step as a whole.
  public var iteration: Int?
  /// The iteration's item.
  public var item: JSONValue?
  public var status: StepStatus
  public var attempts: Int
  public var startedAt: Date?
  public var finishedAt: Date?
  /// The action's outputs, secrets masked.
  public var outputs: [String: JSONValue]
  /// Why it failed or is blocked, secrets masked.
  public var message: String?
  /// The last lines of its output, secrets masked.
  public var outputTail: String
  /// Whether a person approved it (at the prompt or with `resume --approve`).
  public var approved: Bool
  /// The process group of its running command, so a resume after a crash can wait for a command
  /// the dead engine left behind instead of judging the step while it still runs.
  public var processGroup: Int32?
  /// The boot id of the machine `processGroup` runs on, for a step on a host: a process group
  /// number means nothing once that machine rebooted.
  public var processBootID: String?

  public init(
    runID: String, step: String, host: String? = nil, iteration: Int? = nil, item: JSONValue? = nil, status: StepStatus, attempts: Int = 0,
    startedAt: Date? = nil, finishedAt: Date? = nil, outputs: [String: JSONValue] = [:], message: String? = nil,
    outputTail: String = "", approved: Bool = false, processGroup: Int32? = nil, processBootID: String? = nil
  ) {
    self.processGroup = processGroup
    self.processBootID = processBootID
    self.runID = runID
    self.step = step
    self.host = host
    self.iteration = iteration
    self.item = item
    self.status = status
    self.attempts = attempts
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.outputs = outputs
    self.message = message
    self.outputTail = outputTail
    self.approved = approved
  }

  public var key: StepKey { StepKey(step: step, iteration: iteration, host: host) }

  /// The iteration's item as a short label (`StepKey.itemLabel`), for events.
  public var itemLabel: String? { StepKey.itemLabel(item) }

  /// The key with the iteration's item label: `defrag[1] m2`.
  public var label: String { key.label(item: itemLabel) }
}

/// A step, one iteration of it, or the step on one host.
public struct StepKey: Hashable, Sendable, CustomStringConvertible {
  public var step: String
  public var iteration: Int?
  public var host: String?

  public init(step: String, iteration: Int? = nil, host: String? = nil) {
    self.step = step
    self.iteration = iteration
    self.host = host
  }

  /// `push`, `push[1]`, `push@node2`: what `--retry` and `--mark-done` take.
  public var description: String { (iteration.map { "\(step)[\($0)]" } ?? step) + (host.map { "@\($0)" } ?? "") }

  /// The key followed by an iteration's item label, as output, `show` and events name it:
  /// `defrag[1] m2`.
  public func label(item: String?) -> String {
    // An inventory's host name is the operator's text: escaped, as an item label is.
    let shown = host.map { (iteration.map { "\(step)[\($0)]" } ?? step) + "@" + VisibleText.line($0) } ?? description
    guard iteration != nil, let item, !item.isEmpty else { return shown }
    return "\(shown) \(item)"
  }

  /// A short label for a loop item: a scalar as its text, a map by its `name`, `id`, `host`
  /// or `endpoint`; escaped and cut to 40 characters; nil when nothing names it.
  public static func itemLabel(_ item: JSONValue?) -> String? {
    let text: String
    switch item {
    case .string(let string)?: text = string
    case .int(let number)?: text = String(number)
    case .bigInteger(let digits)?: text = digits
    case .double(let number)?: text = String(number)
    case .bool(let flag)?: text = String(flag)
    case .object(let members)?:
      let scalars = ["name", "id", "host", "endpoint"].lazy.compactMap { key in members.first { $0.key == key }?.value }.compactMap { value -> String? in
        switch value {
        case .string(let string): string
        case .int(let number): String(number)
        case .bigInteger(let digits): digits
        default: nil
        }
      }
      guard let named = scalars.first else { return nil }
      text = named
    default: return nil
    }
    let visible = VisibleText.line(text)
    return visible.count > 40 ? String(visible.prefix(39)) + "…" : visible
  }
}

/// Where a step stands. `running` in the journal after the process died means "in doubt".
public enum StepStatus: String, Sendable, CaseIterable {
  case pending, running, succeeded, failed, skipped, blocked
  case awaitingApproval = "awaiting_approval"
  /// Stopped by SIGINT/SIGTERM while its action ran; treated as in doubt on resume.
  case interrupted
  /// Found running after a crash, not idempotent, not settled by verify: it stays in doubt,
  /// resume after resume, until `--retry` or `--mark-done` settles it.
  case inDoubt = "in_doubt"

  /// Succeeded or skipped: its dependents may start, and resume leaves it alone.
  public var isDone: Bool { self == .succeeded || self == .skipped }

  /// Whether its action may have run, wholly or in part, without the journal knowing the end.
  public var isInDoubt: Bool { self == .running || self == .interrupted || self == .inDoubt }
}
