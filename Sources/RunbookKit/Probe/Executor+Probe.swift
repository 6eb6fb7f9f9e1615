import Foundation

extension Executor {
  /// `plan --probe`: executes `plan` in `.probe` mode against a journal in memory — run-level
  /// preconditions, every step's guards, and the read-only steps whose needs it could run —
  /// and reports what it found. Nothing that is not read-only runs: the executor refuses it.
  public static func probe(
    _ plan: Plan, params: ParamValues, registry: ActionRegistry, environment: [String: String], interruption: Interruption,
    hostRunner: (any HostRunner)? = nil
  ) async throws -> ProbeReport {
    let store = InMemoryStateStore()
    let started = Date()
    let id = "probe"
    try store.beginRun(RunRecord(
      id: id, runbookName: plan.runbook.name, file: plan.runbook.file, source: plan.model.text, sha256: plan.runbook.sha256,
      params: [:], fromPlanFile: false, lockName: "", status: .running, startedAt: started, pid: getpid(), host: "", workingDirectory: ""))
    let executor = Executor(
      plan: plan, params: params, registry: registry, store: store,
      configuration: .init(runID: id, runStarted: started, environment: environment, mode: .probe),
      observer: Unobserved(), approver: NobodyToAsk(), interruption: interruption, hostRunner: hostRunner)
    _ = try await executor.run()
    let records = try store.steps(ofRun: id)
    return ProbeReport(
      started: started, checks: executor.probeLog?.findings ?? [:],
      steps: Dictionary(records.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last }))
  }
}

/// A probe reports through its result, not as it goes.
private struct Unobserved: RunObserver {
  func observe(_ event: RunEvent) {}
}

/// A probe asks nobody (it never reaches an approval: `probeRefusal`).
private struct NobodyToAsk: Approver {
  func approve(step: String, message: String) async -> Bool? { nil }
}

extension Executor {
  /// The guards of the steps a probe could not reach (a step they need changes something), read
  /// as things stand now: whether each (or each iteration) would be skipped as already done or
  /// blocked, so a plan can say which certificates are due before the backup that precedes
  /// their renewal has run. A guard that reads what those steps produce is left unread.
  func probeAhead() async throws {
    let reason = "not probed: it needs a step the probe did not run"
    // Steps whose record is final as apply would find it: read, or skipped by their `when`.
    let ran = Set(graph.ids.filter { [.succeeded, .skipped].contains(record(StepKey(step: $0))?.status) })
    for id in graph.order where record(StepKey(step: id)) == nil {
      guard let step = runbook.step(id) else { continue }
      var current = StepRecord(runID: runID, step: id, status: .pending)
      let guardTemplates = (step.skipIf + step.preconditions).flatMap(\.templates) + [step.when, step.forEach].compactMap { $0 }
      let reads = Set<String>(guardTemplates.flatMap(\.expressions).flatMap { $0.references(under: "steps", depth: 1).map { $0[0] } })
      guard reads.isSubset(of: ran) else {
        _ = try finish(&current, .pending, message: reason + "; its guards read what such a step produces", event: "step.not_probed")
        continue
      }
      let context = evaluationContext()
      if let when = step.when {
        switch evaluateCondition(when, context) {
        case .success(true): break
        case .success(false):
          _ = try finish(&current, .skipped, message: "when is false", event: "step.skipped")
          continue
        case .failure:
          _ = try finish(&current, .pending, message: reason, event: "step.not_probed")
          continue
        }
      }
      // A step on hosts reads its guards on each host; read here, they would describe this
      // machine instead.
      if let targeting = step.hosts, Self.placesOnHosts(targeting, context) {
        _ = try finish(&current, .pending, message: reason + "; its guards are read on each host, at apply", event: "step.not_probed")
        continue
      }
      guard let forEach = step.forEach else {
        try await readGuards(step, record: &current, context: context, reason: reason)
        continue
      }
      _ = try finish(&current, .pending, message: reason, event: "step.not_probed")
      guard case .list(let items)? = try? Evaluator.evaluate(forEach, in: context) else { continue }
      for (index, item) in items.enumerated() {
        var iteration = StepRecord(runID: runID, step: id, iteration: index, item: mask(item).json, status: .pending)
        try await readGuards(step, record: &iteration, context: context.binding(step.itemName, to: item), reason: reason)
      }
    }
  }

  /// A step's (or iteration's) guards read ahead: it stays not probed, and its message says how
  /// the guards stand now — never that it will be skipped, since the steps before it may change
  /// what they read.
  private func readGuards(_ step: Step, record: inout StepRecord, context: EvaluationContext, reason: String) async throws {
    let finding: String
    switch try await guards(step, record: &record, context: context)?.status {
    case nil: finding = step.skipIf.isEmpty && step.preconditions.isEmpty ? "" : "; as things stand now its guards let it run"
    case .skipped?: finding = "; as things stand now its skip_if holds (already done)"
    case .blocked?: finding = "; as things stand now " + (record.message ?? "a precondition fails")
    default: finding = "; as things stand now its guards cannot be read: " + (record.message ?? "")
    }
    _ = try finish(&record, .pending, message: reason + finding, event: "step.not_probed")
  }
}
