import Foundation
import RunbookYAML

/// Turns a checked runbook and bound params into a `Plan`, evaluating every expression whose
/// inputs are known and marking the rest `(known after STEP)` or `(known at run time)`.
public struct PlanBuilder {
  let document: RunbookDocument
  let runbook: Runbook
  let graph: StepGraph
  let registry: ActionRegistry
  let params: ParamValues
  private var diagnostics: [Diagnostic] = []

  /// Builds the plan of a valid document; evaluation failures come back as diagnostics.
  public static func build(_ document: RunbookDocument, params: ParamValues, registry: ActionRegistry) -> (Plan?, [Diagnostic]) {
    guard let runbook = document.runbook, let graph = document.graph, document.isValid else {
      return (nil, document.diagnostics)
    }
    var builder = PlanBuilder(document: document, runbook: runbook, graph: graph, registry: registry, params: params)
    var plan = builder.plan()
    plan.programs = ProgramPins.of(plan, registry: registry, searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    return (builder.diagnostics.isEmpty ? plan : nil, builder.diagnostics)
  }

  /// What `plan` would refuse of a runbook without being given any param, for `validate`: the
  /// plan is built with each param's default, null for an optional one without, and a value not
  /// known before the run for a required one; every expression that fails on known values (E312) and every known argument too long
  /// for a program (E313) is reported as `plan` reports it.
  public static func check(_ document: RunbookDocument, registry: ActionRegistry) -> [Diagnostic] {
    guard let runbook = document.runbook, let graph = document.graph, document.isValid else { return [] }
    var values: [String: Value] = [:]
    for spec in runbook.params {
      // As `plan` binds them without -p: the default, else null; a required param is given
      // before any plan, so its value is not known here.
      values[spec.name] = spec.defaultValue ?? (spec.required ? .unknown(.init(atRunTime: true, preview: "(params.\(spec.name))")) : .null)
    }
    var builder = PlanBuilder(document: document, runbook: runbook, graph: graph, registry: registry, params: ParamValues(values: values))
    _ = builder.plan()
    return builder.diagnostics
  }

  private init(document: RunbookDocument, runbook: Runbook, graph: StepGraph, registry: ActionRegistry, params: ParamValues) {
    self.document = document
    self.runbook = runbook
    self.graph = graph
    self.registry = registry
    self.params = params
  }

  /// Secret values are never evaluated into a plan: they stand as `(secret)`.
  private var context: EvaluationContext {
    var values: [String: Value] = [:]
    for spec in runbook.params {
      values[spec.name] = spec.secret ? .unknown(.init(atRunTime: true, preview: "(secret)")) : params[spec.name] ?? .null
    }
    let runTime = Value.unknown(.init(atRunTime: true))
    var steps: [String: Value] = [:]
    for id in graph.ids {
      let later = Value.unknown(.init(after: [id]))
      steps[id] = .map(["outputs": later, "status": later])
    }
    return EvaluationContext(variables: ["params": .map(values), "steps": .map(steps), "run": runTime, "env": runTime, "check": runTime])
  }

  private mutating func plan() -> Plan {
    let context = self.context
    let stageOf = Dictionary(graph.stages.enumerated().flatMap { index, ids in ids.map { ($0, index + 1) } }, uniquingKeysWith: { a, _ in a })
    let stages = graph.stages.map { ids in
      ids.compactMap { id in runbook.step(id).map { step(in: context, $0, stage: stageOf[id] ?? 0) } }
    }
    let info = Plan.RunbookInfo(
      name: runbook.name.value, title: runbook.title, description: runbook.description, file: runbook.file,
      sha256: runbook.sha256)
    let planParams = runbook.params.map { spec in
      Plan.Param(
        name: spec.name, type: spec.type, value: spec.secret ? .string("(secret)") : params[spec.name] ?? .null,
        secret: spec.secret, origin: params.origins[spec.name] ?? .unset)
    }
    return Plan(
      runbook: info, params: planParams,
      lock: lockValue(context),
      preconditions: runbook.preconditions.map { check($0, context) }, stages: stages)
  }

  /// The lock as apply will evaluate it, with the environment this plan is made in; a part that
  /// is not set is shown as such, since apply refuses it.
  private mutating func lockValue(_ context: EvaluationContext) -> Value {
    guard let lock = runbook.lock else { return .string(runbook.name.value) }
    let withEnvironment = context.binding("env", to: .map(ProcessInfo.processInfo.environment.mapValues { .string($0) }))
    for case .expression(let expression, let source) in lock.parts where (try? Evaluator.evaluate(expression, in: withEnvironment)) == .null {
      return .unknown(.init(atRunTime: true, preview: "(${{ \(source) }} is not set: apply refuses to start)"))
    }
    return evaluate(lock, withEnvironment)
  }

  private mutating func step(in context: EvaluationContext, _ step: Step, stage: Int) -> Plan.Step {
    var loop: Plan.Loop?
    var perItem = context
    if let forEach = step.forEach {
      let items = evaluate(forEach, context)
      var iterations: [Plan.Iteration] = []
      switch items {
      case .list(let list):
        iterations = list.map { item in Plan.Iteration(item: item, call: call(step.call, context.binding(step.itemName, to: item))) }
        perItem = context.binding(step.itemName, to: .unknown(.init(preview: "(each \(step.itemName))")))
      case .unknown(let reason):
        perItem = context.binding(step.itemName, to: .unknown(Value.Unknown(after: reason.after, atRunTime: reason.atRunTime)))
      default:
        fail(EvaluationError("for_each must give a list, not a \(items.typeName)", at: forEach.expressions.first?.span ?? .init(start: 0, length: 1)), forEach)
      }
      loop = Plan.Loop(
        source: forEach.raw, itemName: step.itemName, items: items, maxParallel: step.maxParallel, iterations: iterations)
    }
    let mainCall = call(step.call, perItem)
    return Plan.Step(
      id: step.name, title: step.title.map { evaluate($0, perItem) }, description: step.description, stage: stage,
      needs: graph.dependencies[step.name] ?? [], call: mainCall, loop: loop,
      when: step.when.map { Plan.Condition(source: $0.raw, value: evaluate($0, context)) },
      preconditions: step.preconditions.map { check($0, perItem) }, skipIf: step.skipIf.map { check($0, perItem) },
      verify: step.verify.map { check($0, perItem) }, approval: step.approval.map { evaluate($0, perItem) },
      retry: step.retry, timeout: step.timeout, onFailure: step.onFailure,
      idempotent: step.idempotent ?? mainCall.idempotent, undo: step.undo.map { self.call($0, perItem) })
  }

  private mutating func check(_ spec: CheckSpec, _ context: EvaluationContext) -> Plan.Check {
    Plan.Check(
      call: call(spec.call, context), expect: spec.expect?.raw, message: spec.message.map { evaluate($0, context) },
      unless: spec.unless.map { Plan.Condition(source: $0.raw, value: evaluate($0, context)) },
      within: spec.within, every: spec.every)
  }

  private mutating func call(_ call: ActionCall, _ context: EvaluationContext) -> Plan.Call {
    let descriptor = registry[call.action.value]!
    var resolved = ResolvedInput([:])
    var inputs: [Plan.Input] = []
    do {
      let (input, given) = try descriptor.resolve(call, in: context)
      resolved = input
      inputs = given.map { Plan.Input(name: $0.name, value: $0.value) }
      // Known values too long to reach a program are refused now, not at exec.
      var argv: [String] = []
      if case .list(let items)? = input["argv"] { argv = items.filter { !$0.containsUnknown }.map(\.plainText) }
      let bound = input.bindings.filter { !$0.value.containsUnknown }.map { "\($0.key)=\($0.value.plainText)" }
      if let problem = ArgumentLimits.problem(argv: argv, environment: bound), let entry = call.with.first(where: { $0.name == "argv" || $0.name == "run" }) {
        diagnostics.append(.argumentTooLong(problem, at: entry.value.range).inFile(runbook.file))
      }
    } catch {
      fail(error.error, error.template)
    }
    return Plan.Call(
      action: descriptor.name, effect: descriptor.effect, idempotent: descriptor.idempotent, inputs: inputs,
      preview: descriptor.describe(resolved))
  }

  private mutating func evaluate(_ value: InputValue, _ context: EvaluationContext) -> Value {
    do {
      return try ActionDescriptor.evaluate(value, in: context)
    } catch {
      fail(error.error, error.template)
      return .null
    }
  }

  private mutating func evaluate(_ template: Template, _ context: EvaluationContext) -> Value {
    evaluate(.template(template), context)
  }

  private mutating func fail(_ error: EvaluationError, _ template: Template) {
    diagnostics.append(.evaluationFailed(error.message, at: template.range(of: error.span, in: document.source)).inFile(runbook.file))
  }
}
