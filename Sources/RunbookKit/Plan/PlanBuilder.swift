import Foundation
import RunbookYAML

/// Turns a checked runbook and bound params into a `Plan`, evaluating every expression whose
/// inputs are known and marking the rest `(known after STEP)` or `(known at run time)`; with a
/// probe, the outputs of the steps it ran are known too, and marked as probed.
public struct PlanBuilder {
  let document: RunbookDocument
  let runbook: Runbook
  let graph: StepGraph
  let registry: ActionRegistry
  let params: ParamValues
  let probe: ProbeReport?
  /// The steps a probe ran, whose outputs the plan shows.
  private let probedSteps: Set<String>
  private var inventory: Inventory?
  /// Whether a step on hosts without an inventory is an error (E314): for a plan, not for `validate`.
  private var checksHostsWithoutInventory = true
  private var diagnostics: [Diagnostic] = []

  /// Builds the plan of a valid document; evaluation failures come back as diagnostics.
  public static func build(
    _ document: RunbookDocument, params: ParamValues, registry: ActionRegistry, inventory: Inventory? = nil, probe: ProbeReport? = nil
  ) -> (Plan?, [Diagnostic]) {
    guard let runbook = document.runbook, let graph = document.graph, document.isValid else {
      return (nil, document.diagnostics)
    }
    var builder = PlanBuilder(document: document, runbook: runbook, graph: graph, registry: registry, params: params, probe: probe)
    builder.inventory = inventory
    var plan = builder.plan()
    plan.programs = ProgramPins.of(plan, registry: registry, searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    if let probe {
      plan.probe = Plan.Probe(
        at: probe.started, runPreconditionsHold: probe.runPreconditionsHold, blockers: plan.blockers,
        facts: plan.facts(referenced: runbook.stepOutputReferences))
    }
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
    var builder = PlanBuilder(document: document, runbook: runbook, graph: graph, registry: registry, params: ParamValues(values: values), probe: nil)
    // Which hosts a step runs on is the plan's question: a runbook is valid without an inventory.
    builder.checksHostsWithoutInventory = false
    _ = builder.plan()
    return builder.diagnostics
  }

  private init(document: RunbookDocument, runbook: Runbook, graph: StepGraph, registry: ActionRegistry, params: ParamValues, probe: ProbeReport?) {
    self.document = document
    self.runbook = runbook
    self.graph = graph
    self.registry = registry
    self.params = params
    self.probe = probe
    probedSteps = Set(probe?.steps.values.filter { $0.iteration == nil && $0.status == .succeeded }.map(\.step) ?? [])
  }

  /// Secret values are never evaluated into a plan: they stand as `(secret)`. A step's
  /// outputs are known after it ran, or once a probe ran it.
  private var context: EvaluationContext {
    var steps: [String: Value] = [:]
    for id in graph.ids {
      if probedSteps.contains(id), let record = probe?.steps[StepKey(step: id)] {
        var value: [String: Value] = ["outputs": Executor.outputs(of: record), "status": .string(record.status.rawValue)]
        if runbook.step(id)?.hosts != nil, let probe {
          let done = Set(probe.steps.values.filter { $0.step == id && $0.host != nil && $0.status.isDone }.compactMap(\.host))
          value["hosts"] = .list((inventory?.hosts ?? []).map(\.name).filter(done.contains).map(Value.string))
        }
        steps[id] = .map(value)
      } else {
        let later = Value.unknown(.init(after: [id]))
        steps[id] = .map(runbook.step(id)?.hosts == nil ? ["outputs": later, "status": later] : ["outputs": later, "status": later, "hosts": later])
      }
    }
    return RunScope(runbook: runbook, params: params, secrets: .hidden).bindingSteps(steps).context
      .binding("check", to: .unknown(.init(atRunTime: true)))
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
      preconditions: runbook.preconditions.enumerated().map { check($1, context, at: .init(step: nil, iteration: nil, role: Executor.CheckRole.runPrecondition.rawValue, index: $0)) },
      stages: stages, inventory: inventory, model: runbook, graph: graph)
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
      let probedItems = isProbed(forEach.expressions)
      switch items {
      case .list(let list):
        iterations = list.enumerated().map { index, item in
          let scoped = context.binding(step.itemName, to: item)
          let through: Set<String> = probedItems ? [step.itemName] : []
          var iteration = Plan.Iteration(item: item, call: call(step.call, scoped, probedThrough: through))
          if let probe {
            iteration.skipIf = step.skipIf.enumerated().map { check($1, scoped, at: .init(step: step.name, iteration: index, role: Executor.CheckRole.skipIf.rawValue, index: $0), probedThrough: through) }
            iteration.preconditions = step.preconditions.enumerated().map { check($1, scoped, at: .init(step: step.name, iteration: index, role: Executor.CheckRole.precondition.rawValue, index: $0), probedThrough: through) }
            iteration.probe = probe.steps[StepKey(step: step.name, iteration: index)].map(Self.stepProbe)
          }
          return iteration
        }
        perItem = context.binding(step.itemName, to: .unknown(.init(preview: "(each \(step.itemName))")))
      case .unknown(let reason):
        perItem = context.binding(step.itemName, to: .unknown(Value.Unknown(after: reason.after, atRunTime: reason.atRunTime)))
      default:
        fail(EvaluationError("for_each must give a list, not a \(items.typeName)", at: forEach.expressions.first?.span ?? .init(start: 0, length: 1)), forEach)
      }
      loop = Plan.Loop(
        source: forEach.raw, itemName: step.itemName, items: items, maxParallel: step.maxParallel, iterations: iterations,
        probed: probedItems && !items.containsUnknown)
    }
    var hosts: Plan.Hosts?
    if let targeting = step.hosts {
      if Executor.placesOnHosts(targeting, context) {
        hosts = self.hosts(targeting, context)
        perItem = perItem.binding("host", to: .unknown(.init(preview: "(each host)")))
      } else {
        // `on:` gave none: the step runs here, where there is no `host`. Its guards may still
        // name it behind a `when` or an `unless` that keeps it unread here (a shipped runbook's
        // `on: ${{ params.hosts }}`); what reads it at run time fails there.
        perItem = perItem.binding("host", to: .unknown(.init(atRunTime: true, preview: "(no host: the step runs here)")))
      }
    }
    let mainCall = call(step.call, perItem)
    func site(_ role: Executor.CheckRole, _ index: Int) -> ProbeReport.Site { .init(step: step.name, iteration: nil, role: role.rawValue, index: index) }
    return Plan.Step(
      id: step.name, title: step.title.map { evaluate($0, perItem) }, description: step.description, stage: stage,
      needs: graph.dependencies[step.name] ?? [], call: mainCall, loop: loop, hosts: hosts,
      when: step.when.map { Plan.Condition(source: $0.raw, value: evaluate($0, context)) },
      preconditions: step.preconditions.enumerated().map { check($1, perItem, at: site(.precondition, $0)) },
      skipIf: step.skipIf.enumerated().map { check($1, perItem, at: site(.skipIf, $0)) },
      verify: step.verify.enumerated().map { check($1, perItem, at: site(.verify, $0)) }, approval: step.approval.map { evaluate($0, perItem) },
      retry: step.retry, timeout: step.timeout, onFailure: step.onFailure,
      idempotent: step.idempotent ?? mainCall.idempotent, undo: step.undo.map { self.call($0, perItem) },
      probe: probe.map { $0.steps[StepKey(step: step.name)].map(Self.stepProbe) ?? Self.unreached })
  }

  /// The hosts of a step with `on:` as apply will visit them; a name the inventory lacks, or a
  /// step on hosts without an inventory, is an error of the plan.
  private mutating func hosts(_ targeting: HostTargeting, _ context: EvaluationContext) -> Plan.Hosts {
    let value = evaluate(targeting.on, context)
    var result = Plan.Hosts(source: targeting.on.raw, names: value, batches: [], maxFail: targeting.maxFail, become: targeting.become ?? false)
    let patterns: [String]
    switch value {
    case .string(let pattern): patterns = [pattern]
    case .list(let items) where items.allSatisfy({ if case .string = $0 { true } else { false } }): patterns = items.map(\.plainText)
    case .unknown: return result
    default:
      fail(EvaluationError("on: must give a host or group name or a list of them, not \(value.typeName)", at: targeting.on.expressions.first?.span ?? .init(start: 0, length: 1)), targeting.on)
      return result
    }
    guard let inventory else {
      if checksHostsWithoutInventory { diagnostics.append(.noInventory(for: patterns, at: targeting.on.node.range).inFile(runbook.file)) }
      return result
    }
    var names: [String] = []
    for pattern in patterns {
      do {
        for name in try inventory.select(pattern) where !names.contains(name) { names.append(name) }
      } catch {
        diagnostics.append(.unknownHosts(error.diagnostic, at: targeting.on.node.range).inFile(runbook.file))
      }
    }
    result.names = .list(names.map(Value.string))
    result.batches = targeting.batches(names)
    result.become = targeting.become ?? names.contains { inventory.host(named: $0)?.connection.become == true }
    return result
  }

  /// A step the probe never reached: a step it needs was not run or did not finish.
  private static let unreached = Plan.StepProbe(status: .pending, message: "not probed: it needs a step the probe did not run", outputs: [:])

  private static func stepProbe(_ record: StepRecord) -> Plan.StepProbe {
    Plan.StepProbe(status: record.status, message: record.message, outputs: record.outputs.mapValues { Value($0) })
  }

  /// Whether these expressions read a step a probe ran, or a name in `names` (a loop item the
  /// probe made known).
  private func isProbed(_ expressions: [Expression], through names: Set<String> = []) -> Bool {
    guard probe != nil else { return false }
    return expressions.contains { expression in
      expression.references(under: "steps", depth: 1).contains { probedSteps.contains($0[0]) }
        || names.contains { !expression.references(under: $0, depth: 0).isEmpty }
    }
  }

  private mutating func check(_ spec: CheckSpec, _ context: EvaluationContext, at site: ProbeReport.Site, probedThrough names: Set<String> = []) -> Plan.Check {
    Plan.Check(
      call: call(spec.call, context, probedThrough: names), finding: probe?.finding(site), expect: spec.expect?.raw,
      message: spec.message.map { evaluate($0, context) },
      unless: spec.unless.map { Plan.Condition(source: $0.raw, value: evaluate($0, context)) },
      within: spec.within, every: spec.every)
  }

  private mutating func call(_ call: ActionCall, _ context: EvaluationContext, probedThrough names: Set<String> = []) -> Plan.Call {
    let descriptor = registry[call.action.value]!
    var resolved = ResolvedInput([:])
    var inputs: [Plan.Input] = []
    do {
      let (input, given) = try descriptor.resolve(call, in: context)
      resolved = input
      inputs = given.map { entry in
        let templates = call.with.first { $0.name == entry.name }?.value.templates ?? []
        return Plan.Input(name: entry.name, value: entry.value, probed: isProbed(templates.flatMap(\.expressions), through: names) && !entry.value.containsUnknown)
      }
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
      preview: descriptor.describe(resolved), volatileFields: descriptor.volatileFields)
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
