import Foundation

/// What `plan --probe` found on the live system: every check it evaluated and every step it
/// ran or left alone, as the executor journaled them in memory (docs/running.md, "Probing a plan").
public struct ProbeReport: Sendable {
  /// How a check came out.
  public enum Status: String, Sendable {
    case held
    case notHeld = "not_held"
    /// Waived by its `unless`.
    case notChecked = "not_checked"
    /// It could not be evaluated.
    case broken
  }

  public struct Finding: Sendable, Equatable {
    public var status: Status
    public var message: String?
  }

  /// Where a check stands: at run level (no step) or in a step or iteration, its role and its
  /// place in that list.
  public struct Site: Hashable, Sendable {
    public var step: String?
    public var iteration: Int?
    /// The inventory host of a step on hosts.
    public var host: String?
    public var role: String
    public var index: Int

    public init(step: String?, iteration: Int?, host: String? = nil, role: String, index: Int) {
      self.step = step
      self.iteration = iteration
      self.host = host
      self.role = role
      self.index = index
    }
  }

  public var started: Date
  public var checks: [Site: Finding]
  /// Each step and iteration as the probe left it: `succeeded` with its outputs when it ran,
  /// `skipped` (when false, or already done), `blocked` (a precondition fails now, or not
  /// probed: its message says why), `failed`.
  public var steps: [StepKey: StepRecord]

  /// Whether every run-level precondition holds now, so an apply would proceed.
  public var runPreconditionsHold: Bool {
    !checks.contains { $0.key.step == nil && [.notHeld, .broken].contains($0.value.status) }
  }

  public func finding(_ site: Site) -> Finding? { checks[site] }
}
