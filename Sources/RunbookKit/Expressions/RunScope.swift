import Foundation

/// The names every expression of a run reads — `params`, `steps`, `run`, `env` — built in this
/// one place for the checker (which names exist), the planner (values not known until the run
/// stand as unknown), the lock and the executor (the values): docs/expressions.md, "Names".
public struct RunScope: Sendable {
  /// Whether secret params are readable (the executor) or stand as `(secret)` (plans, locks).
  public enum Secrets: Sendable {
    case readable
    case hidden
  }

  /// The names in the order diagnostics list them.
  public static let names = ["params", "steps", "run", "env"]

  public var params: Value
  /// `steps.ID` with `outputs` and `status`; unknown until the run.
  public var steps: Value
  public var run: Value
  public var env: Value

  /// A scope with `runbook`'s params bound to `values` (null when unset) and the rest unknown
  /// until the run.
  public init(runbook: Runbook, params values: ParamValues, secrets: Secrets) {
    var bound: [String: Value] = [:]
    for spec in runbook.params {
      bound[spec.name] = spec.secret && secrets == .hidden ? .unknown(.init(atRunTime: true, preview: "(secret)")) : values[spec.name] ?? .null
    }
    params = .map(bound)
    let runTime = Value.unknown(.init(atRunTime: true))
    steps = runTime
    run = runTime
    env = runTime
  }

  /// `run.id` and `run.started`, as a run binds them.
  public func bindingRun(id: String, started: Date) -> RunScope {
    var copy = self
    copy.run = .map(["id": .string(id), "started": .string(RunEvent.timestamp(started))])
    return copy
  }

  /// `env.*`: the engine's environment.
  public func bindingEnvironment(_ environment: [String: String]) -> RunScope {
    var copy = self
    copy.env = .map(environment.mapValues { .string($0) })
    return copy
  }

  public func bindingSteps(_ steps: [String: Value]) -> RunScope {
    var copy = self
    copy.steps = .map(steps)
    return copy
  }

  public var context: EvaluationContext {
    EvaluationContext(variables: ["params": params, "steps": steps, "run": run, "env": env])
  }
}
