import Foundation

/// Runs a plan's steps in DAG order, journaling every transition before acting on it, and picks
/// up a journaled run where it stopped (docs/running.md, "apply" and "resume").
///
/// The executor only ever executes: showing what would happen is the plan's job. In `.probe`
/// mode it executes only read-only actions and refuses every other (docs/running.md, "Probing a plan").
public final class Executor: @unchecked Sendable {
  public struct Configuration: Sendable {
    public var runID: String
    public var runStarted: Date
    /// Independent steps at once.
    public var parallel: Int
    public var resume: ResumeInstructions
    /// The engine's environment: `env.*` in expressions and the base of child environments.
    public var environment: [String: String]
    public var mode: Mode

    /// What the executor may run: everything, or only read-only actions.
    public enum Mode: Sendable {
      case apply
      case probe
    }

    public init(runID: String, runStarted: Date, parallel: Int = 4, resume: ResumeInstructions = .init(), environment: [String: String], mode: Mode = .apply) {
      self.runID = runID
      self.mode = mode
      self.runStarted = runStarted
      self.parallel = max(1, parallel)
      self.resume = resume
      self.environment = environment
    }
  }

  let runbook: Runbook
  let graph: StepGraph
  let registry: ActionRegistry
  let params: ParamValues
  let store: any StateStore
  let configuration: Configuration
  let observer: any RunObserver
  let approver: any Approver
  let interruption: Interruption
  /// The hosts `on:` names, and how their actions reach them.
  let inventory: Inventory?
  let hostRunner: (any HostRunner)?
  let mask: SecretMasker
  /// Each check's result, when probing.
  let probeLog: ProbeLog?
  /// The reads a probe's checks share: one snapshot of the system for the whole probe.
  let probeReads: SharedCheckResults?

  private let lock = NSLock()
  private var records: [StepKey: StepRecord] = [:]
  /// `steps.ID` as expressions read it, kept up to date as whole-step records are saved.
  private var stepValues: [String: Value] = [:]
  /// The hosts of each step on hosts, in the order it first went to them.
  private var hostsVisited: [String: [String]] = [:]

  /// An executor of `plan`; `params` are the plan's with the secrets' values, which a plan never holds.
  public init(
    plan: Plan, params: ParamValues, registry: ActionRegistry, store: any StateStore,
    configuration: Configuration, observer: any RunObserver, approver: any Approver, interruption: Interruption,
    hostRunner: (any HostRunner)? = nil
  ) {
    self.runbook = plan.model
    self.inventory = plan.inventory
    self.hostRunner = hostRunner
    self.graph = plan.graph
    self.registry = registry
    self.params = params
    self.store = store
    self.configuration = configuration
    self.observer = observer
    self.approver = approver
    self.interruption = interruption
    self.mask = SecretMasker(plan.model.params.filter(\.secret).flatMap { params[$0.name].map(SecretMasker.texts) ?? [] })
    probeLog = configuration.mode == .probe ? ProbeLog() : nil
    probeReads = configuration.mode == .probe ? SharedCheckResults() : nil
  }

  var isProbing: Bool { configuration.mode == .probe }

  var runID: String { configuration.runID }

  /// Runs every step that is not done yet; the journal holds the result whatever happens.
  public func run() async throws -> RunOutcome {
    for record in try store.steps(ofRun: runID) { remember(record) }
    if !records.values.contains(where: { $0.status != .pending }) {
      if let failure = await runPreconditions(), !isProbing {
        observer.observe(RunEvent(.preconditionFailed, runID: runID, message: failure))
        try store.journal(JournalEvent(runID: runID, at: Date(), kind: "run.precondition_failed", message: failure))
        return .blocked(step: nil, reason: failure)
      }
    }
    let outcome = try await schedule()
    if isProbing { try await probeAhead() }
    return outcome
  }

  // MARK: Scheduling

  private func schedule() async throws -> RunOutcome {
    var status: [String: StepStatus] = [:]
    for id in graph.ids {
      let journaled = record(StepKey(step: id))?.status
      status[id] = journaled?.isDone == true ? journaled : .pending
    }
    var failed: [String] = []
    var paused: [String] = []
    var blocked: (step: String, reason: String)?
    var stopping = false
    var running = 0

    // Steps whose needs are all done, started in execution order; a finished step makes its
    // dependents ready, so scheduling stays linear in the number of steps.
    let position = Dictionary(graph.order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    var dependents: [String: [String]] = [:]
    var waitingOn: [String: Int] = [:]
    for id in graph.ids where status[id] == .pending {
      let needs = graph.dependencies[id] ?? []
      for need in needs { dependents[need, default: []].append(id) }
      waitingOn[id] = needs.filter { status[$0]?.isDone != true }.count
    }
    var ready = graph.order.filter { status[$0] == .pending && waitingOn[$0] == 0 }

    try await withThrowingTaskGroup(of: (String, StepFinish).self) { group in
      func startReady() {
        guard !stopping, !interruption.isInterrupted else { return }
        ready.sort { position[$0, default: 0] < position[$1, default: 0] }
        while running < configuration.parallel, !ready.isEmpty {
          let id = ready.removeFirst()
          status[id] = .running
          running += 1
          group.addTask { (id, try await self.runStep(id)) }
        }
      }
      startReady()
      while let (id, finish) = try await group.next() {
        running -= 1
        status[id] = finish.status
        if finish.status.isDone {
          for dependent in dependents[id] ?? [] {
            waitingOn[dependent, default: 1] -= 1
            if waitingOn[dependent] == 0 { ready.append(dependent) }
          }
        }
        switch finish.status {
        case .failed:
          failed.append(id)
          if runbook.step(id)?.onFailure != .continue { stopping = true }
        case .blocked, .inDoubt:
          blocked = blocked ?? (id, finish.message ?? "blocked")
          stopping = true
        case .awaitingApproval:
          paused.append(id)
          stopping = true
        case .interrupted:
          stopping = true
        default:
          break
        }
        // A probe reads everything it may: what stops a run stops only the steps below it.
        if isProbing, !interruption.isInterrupted { stopping = false }
        startReady()
      }
    }
    try blockDescendants(of: failed)
    if interruption.isInterrupted { return .interrupted }
    if !failed.isEmpty { return .failed(steps: failed) }
    if let blocked { return .blocked(step: blocked.step, reason: blocked.reason) }
    if !paused.isEmpty { return .paused(steps: paused) }
    if graph.ids.contains(where: { status[$0]?.isDone != true }) {
      return .blocked(step: nil, reason: "steps are left that cannot start")
    }
    return .succeeded
  }

  /// Marks every step below a failed one as blocked, so `show` and `resume` say why it did not run.
  private func blockDescendants(of failed: [String]) throws {
    var seen: Set<String> = []
    for id in failed {
      let below = graph.descendants(of: id)
      for descendant in graph.order where below.contains(descendant) && seen.insert(descendant).inserted {
        let key = StepKey(step: descendant)
        guard record(key)?.status.isDone != true else { continue }
        var blockedRecord = record(key) ?? StepRecord(runID: runID, step: descendant, status: .blocked)
        blockedRecord.status = .blocked
        blockedRecord.message = "not run: it needs \(id), which failed"
        try save(blockedRecord, event: "step.blocked")
        observer.observe(RunEvent(.stepFinished, runID: runID, step: descendant, status: StepStatus.blocked.rawValue, message: blockedRecord.message))
      }
    }
  }

  // MARK: Journal

  func record(_ key: StepKey) -> StepRecord? { lock.withLock { records[key] } }

  /// Every record the run has, in no particular order.
  func allRecords() -> [StepRecord] { lock.withLock { Array(records.values) } }

  func save(_ record: StepRecord, event: String) throws {
    try store.saveStep(record, event: event, at: Date())
    remember(record)
  }

  private func remember(_ record: StepRecord) {
    lock.withLock {
      records[record.key] = record
      if let host = record.host, !hostsVisited[record.step, default: []].contains(host) { hostsVisited[record.step, default: []].append(host) }
      guard record.iteration == nil, record.host == nil else { return }
      var value: [String: Value] = ["outputs": Self.outputs(of: record), "status": .string(record.status.rawValue)]
      if runbook.step(record.step)?.hosts != nil {
        let done = (hostsVisited[record.step] ?? []).filter { records[StepKey(step: record.step, host: $0)]?.status.isDone == true }
        value["hosts"] = .list(done.map(Value.string))
      }
      stepValues[record.step] = .map(value)
    }
  }

  // MARK: Evaluation

  /// The names expressions read: params, finished steps' outputs and status, run, env.
  /// A probe is no run: `run.*` stays unknown there, and what reads it is not probed.
  func evaluationContext() -> EvaluationContext {
    let scope = RunScope(runbook: runbook, params: params, secrets: .readable)
      .bindingSteps(lock.withLock { stepValues })
      .bindingEnvironment(configuration.environment)
    return (isProbing ? scope : scope.bindingRun(id: runID, started: configuration.runStarted)).context
  }

  static func outputs(of record: StepRecord) -> Value {
    .map(record.outputs.mapValues { Value($0) })
  }
}

/// How one step's task ended.
struct StepFinish: Sendable {
  var status: StepStatus
  var message: String?
}
