import Foundation

extension Executor {
  /// `plan --probe`: executes `plan` in `.probe` mode against a journal in memory — run-level
  /// preconditions, every step's guards, and the read-only steps whose needs it could run —
  /// and reports what it found. Nothing that is not read-only runs: the executor refuses it.
  public static func probe(
    _ plan: Plan, params: ParamValues, registry: ActionRegistry, environment: [String: String], parallel: Int = 4,
    interruption: Interruption = Interruption()
  ) async throws -> ProbeReport {
    let store = InMemoryStateStore()
    let started = Date()
    let id = "probe"
    try store.beginRun(RunRecord(
      id: id, runbookName: plan.runbook.name, file: plan.runbook.file, source: plan.model.text, sha256: plan.runbook.sha256,
      params: [:], fromPlanFile: false, lockName: "", status: .running, startedAt: started, pid: getpid(), host: "", workingDirectory: ""))
    let executor = Executor(
      plan: plan, params: params, registry: registry, store: store,
      configuration: .init(runID: id, runStarted: started, parallel: parallel, environment: environment, mode: .probe),
      observer: Unobserved(), approver: NobodyToAsk(), interruption: interruption)
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
