import Foundation

/// What a run would do, as a value: rendered by `runbook plan`, sealed into plan files, and the
/// only thing the executor is given. It never asks whether it is a dry run.
public struct Plan: Sendable {
  public struct RunbookInfo: Sendable {
    public var name: String
    public var title: String?
    public var description: String?
    public var file: String
    public var sha256: String
  }

  public struct Param: Sendable {
    public var name: String
    public var type: ParamType
    /// The bound value; a secret's value is never held here.
    public var value: Value
    public var secret: Bool
    public var origin: ParamValues.Origin
  }

  public struct Input: Sendable {
    public var name: String
    public var value: Value
    /// Known only because a probe read it live (`plan --probe`).
    public var probed = false
  }

  /// An action with its rendered inputs and its preview.
  public struct Call: Sendable {
    public var action: String
    public var effect: Effect
    public var idempotent: Bool
    public var inputs: [Input]
    public var preview: ActionPreview
    /// Its output fields a sealed plan's facts leave out (`Action.volatileFields`).
    public var volatileFields: Set<String> = []
  }

  public struct Check: Sendable {
    public var call: Call
    /// How it came out when probed.
    public var finding: ProbeReport.Finding?
    public var expect: String?
    public var message: Value?
    public var unless: Condition?
    public var within: RunbookDuration?
    public var every: RunbookDuration?
  }

  /// A condition's source and its value where it can be known before the run.
  public struct Condition: Sendable {
    public var source: String
    public var value: Value
  }

  public struct Loop: Sendable {
    public var source: String
    public var itemName: String
    /// The list, or an unknown value.
    public var items: Value
    public var maxParallel: Int64?
    /// One rendered call per item, when the items are known.
    public var iterations: [Iteration]
    /// The items are known only because a probe read them.
    public var probed = false
  }

  /// Where a step with `on:` runs: its hosts in visit order, and in batches.
  public struct Hosts: Sendable {
    public var source: String
    /// Host names, or an unknown value when they come from a step not yet run.
    public var names: Value
    public var batches: [[String]]
    public var maxFail: BatchSize
    public var become: Bool
  }

  public struct Iteration: Sendable {
    public var item: Value
    public var call: Call
    /// Its guards as probed, and how the probe left it.
    public var skipIf: [Check] = []
    public var preconditions: [Check] = []
    public var probe: StepProbe?
  }

  /// How a probe left a step or iteration: ran (with its outputs), skipped (when false, or
  /// already done), blocked (a precondition fails now), not probed (its message says why), failed.
  public struct StepProbe: Sendable {
    public var status: StepStatus
    public var message: String?
    public var outputs: [String: Value]
  }

  /// What the probe found, for the plan's header and for a plan file to compare at apply.
  public struct Probe: Sendable {
    public var at: Date
    /// Every run-level precondition holds now.
    public var runPreconditionsHold: Bool
    /// What would stop an apply now, first to last: each run-level precondition that fails,
    /// and each step the probe reached whose precondition fails (`Plan.blockers`).
    public var blockers: [String]
    /// An apply would go through now, as far as the probe could see.
    public var wouldProceed: Bool { blockers.isEmpty }
    /// The facts the plan's rendering depends on, by name (docs/running.md, "Stale plans").
    public var facts: [Fact]
  }

  public struct Step: Sendable {
    public var id: String
    public var title: Value?
    public var description: String?
    public var stage: Int
    public var needs: [String]
    public var call: Call
    public var loop: Loop?
    public var hosts: Hosts?
    public var when: Condition?
    public var preconditions: [Check]
    public var skipIf: [Check]
    public var verify: [Check]
    public var approval: Value?
    public var retry: RetryPolicy?
    public var timeout: RunbookDuration?
    public var onFailure: Runbook.OnFailure
    /// The step's own setting, or its action's.
    public var idempotent: Bool
    public var undo: Call?
    public var probe: StepProbe?

    /// False when `when` is known to be false before the run.
    public var willRun: Bool { when?.value != .bool(false) }
  }

  public struct Summary: Sendable {
    public var steps: Int
    public var stages: Int
    public var byEffect: [Effect: Int]
    public var approvals: Int
    public var skipped: Int
    public var preconditions: Int
  }

  public var runbook: RunbookInfo
  public var params: [Param]
  public var lock: Value
  public var preconditions: [Check]
  public var stages: [[Step]]
  /// The programs behind the plan's names, as resolved when it was built.
  public var programs = ProgramPins()
  /// What `--probe` found, when the plan was probed.
  public var probe: Probe?
  /// The inventory `on:` resolves in; a sealed plan holds it and refuses to run with another.
  public var inventory: Inventory?
  /// The checked runbook this plan renders, which the executor runs.
  public var model: Runbook
  public var graph: StepGraph

  public var steps: [Step] { stages.flatMap { $0 } }

  public var summary: Summary {
    var summary = Summary(steps: 0, stages: stages.count, byEffect: [:], approvals: 0, skipped: 0, preconditions: preconditions.count)
    for stage in stages {
      for index in stage.indices {
        summary.steps += 1
        guard stage[index].willRun else {
          summary.skipped += 1
          continue
        }
        summary.byEffect[stage[index].call.effect, default: 0] += 1
        if stage[index].approval != nil { summary.approvals += 1 }
      }
    }
    return summary
  }
}

extension Runbook {
  public typealias OnFailure = Step.OnFailure
}
