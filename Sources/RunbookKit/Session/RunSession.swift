import Foundation

/// A run's whole lifecycle over any `StateStore`: run ids, the journaled record (which params
/// are kept, which secrets were given), the lock and its staleness rule, the executor, the
/// statuses, and the resume policies (an engine that may still run, a changed runbook, secrets
/// given again, steps named on resume) — docs/running.md, "apply" and "resume". A command line
/// or a library user parses and renders around it; nothing of a run's rules lives outside it.
public struct RunSession: Sendable {
  public var store: any StateStore
  public var registry: ActionRegistry
  /// The engine's environment: `env.*`, the base of child environments, a lock's `env` parts.
  public var environment: [String: String]
  public var host: String
  /// What a printed command adds to find this journal (`--state-dir DIR`), or "".
  public var commandSuffix: String
  /// How steps with `on:` reach their hosts; closed when a run's stretch ends.
  public var hostRunner: (any HostRunner)?

  public init(
    store: any StateStore, registry: ActionRegistry, environment: [String: String] = ProcessInfo.processInfo.environment,
    host: String = ProcessInfo.processInfo.hostName, commandSuffix: String = ""
  ) {
    self.store = store
    self.registry = registry
    self.environment = environment
    self.host = host
    self.commandSuffix = commandSuffix
  }

  /// How a run reports while it goes: the observer sees every event, the approver is asked at
  /// approvals, the interruption carries SIGINT/SIGTERM, and `started` is told once a new run
  /// is locked and journaled, before its first step.
  public struct Attendance: Sendable {
    public var observer: any RunObserver
    public var approver: any Approver
    public var interruption: Interruption
    public var started: @Sendable (RunRecord, Plan) -> Void

    public init(observer: any RunObserver, approver: any Approver, interruption: Interruption, started: @escaping @Sendable (RunRecord, Plan) -> Void = { _, _ in }) {
      self.observer = observer
      self.approver = approver
      self.interruption = interruption
      self.started = started
    }
  }

  /// How a stretch of a run ended, and which run it was.
  public struct Finished: Sendable {
    public var runID: String
    public var outcome: RunOutcome
  }

  // MARK: apply

  /// What a new run is made of: the plan to execute, the params with the secrets' values, and
  /// where it came from.
  public struct NewRun: Sendable {
    public var plan: Plan
    public var params: ParamValues
    public var id: String?
    /// The runbook file, or the plan file when it came from one.
    public var file: String
    public var fromPlanFile: Bool
    /// The directory relative paths mean something in; resume runs there too.
    public var workingDirectory: String
    /// The programs a plan file pinned, when it came from one that pins them.
    public var sealedPrograms: ProgramPins?
    /// When the plan file was made, when the run comes from one.
    public var planMade: Date?
    /// The probed facts the plan file was reviewed with, when it was probed.
    public var reviewedFacts: [Fact]?
    /// Who signed the plan file, verified (docs/running.md, "Signed approvals"); journaled.
    public var approvers: [PlanApprover] = []

    public init(
      plan: Plan, params: ParamValues, id: String? = nil, file: String, fromPlanFile: Bool, sealedPrograms: ProgramPins? = nil,
      workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
      self.plan = plan
      self.sealedPrograms = sealedPrograms
      self.params = params
      self.id = id
      self.file = file
      self.fromPlanFile = fromPlanFile
      self.workingDirectory = workingDirectory
    }
  }

  /// How old a plan file may be, and whether facts that changed since review may be run on.
  public struct ReviewPolicy: Sendable {
    /// The command line's limit; with the runbook's `review: { max_plan_age }` the smaller
    /// wins, and `defaultMaxPlanAge` applies when neither is set.
    public var maxPlanAge: RunbookDuration?
    /// Run on, journaling the difference, when the probed facts changed.
    public var allowDrift: Bool

    public static let defaultMaxPlanAge = RunbookDuration("24h")!

    public init(maxPlanAge: RunbookDuration? = nil, allowDrift: Bool = false) {
      self.maxPlanAge = maxPlanAge
      self.allowDrift = allowDrift
    }
  }

  /// A new run that passed `check`: only such a run can be applied.
  public struct CheckedRun: Sendable {
    public let new: NewRun
    public let review: ReviewPolicy
  }

  /// Refuses a new run that must not start (docs/running.md, "Stale plans"): a plan file
  /// sealed with other programs than it would run now, or older than the policy allows.
  /// Whether its probed facts still hold is asked by `apply`, under the run's lock.
  public func check(_ new: NewRun, review: ReviewPolicy = ReviewPolicy(), now: Date = Date()) throws(RunSessionError) -> CheckedRun {
    if let sealed = new.sealedPrograms {
      let changes = new.plan.programs.changes(from: sealed)
      guard changes.isEmpty else {
        throw RunSessionError(
          .invalidInput,
          "\(new.file) was sealed with other programs than it would run now:\n" + changes.map { "  \($0)\n" }.joined() + "make a new plan and review it again")
      }
    }
    // The runbook's limit and the command line's, the smaller when both are set (the command
    // line may ask for less, never for more); the default when neither is.
    let limits = [(review.maxPlanAge, "--max-plan-age"), (new.plan.model.maxPlanAge, "the runbook's review.max_plan_age")]
      .compactMap { limit, source in limit.map { ($0, source) } }
    let (limit, source) = limits.min { $0.0.milliseconds < $1.0.milliseconds } ?? (ReviewPolicy.defaultMaxPlanAge, "the default")
    if let made = new.planMade, now.timeIntervalSince(made) > limit.seconds {
      let age = RunbookDuration(milliseconds: Int64(now.timeIntervalSince(made)) * 1000).text
      throw RunSessionError(
        .stale,
        "\(new.file) was made \(age) ago (\(RunEvent.timestamp(made))), more than \(limit.text) (\(source)) allows; make a new plan and review it again")
    }
    return CheckedRun(new: new, review: review)
  }

  /// The facts of a probed plan file that a new probe finds changed: refused unless drift is
  /// allowed, then journaled with the run. Asked with the lock held, so that no run of the same
  /// lock changes them between this probe and the first step.
  private func drift(_ new: NewRun, review: ReviewPolicy, interruption: Interruption) async throws(RunSessionError) -> [FactDrift] {
    guard let reviewed = new.reviewedFacts else { return [] }
    let found: [Fact]
    do {
      found = try await new.plan.probed(params: new.params, registry: registry, environment: environment, interruption: interruption, hostRunner: hostRunner).probe?.facts ?? []
    } catch {
      throw RunSessionError(.stale, "\(new.file) was reviewed with probed facts, and probing them again failed: \(error)", cause: error)
    }
    guard !interruption.isInterrupted else {
      throw RunSessionError(.interrupted, "interrupted while probing the facts \(new.file) was reviewed with; nothing ran")
    }
    let drift = FactDrift.between(reviewed: reviewed, found: found)
    if !drift.isEmpty, !review.allowDrift {
      throw RunSessionError(
        .stale,
        "\(new.file) is stale: \(drift.count) fact\(drift.count == 1 ? "" : "s") changed since it was reviewed:\n"
          + drift.map { "  \($0.line)\n" }.joined()
          + "make a new plan (runbook plan --probe --out PLAN) and review it again, or apply with --allow-drift to run on (the difference is journaled)")
    }
    return drift
  }

  /// Starts and executes a new run: the id chosen, the lock evaluated and taken, the run
  /// journaled, every step executed, the final status journaled, the lock released.
  public func apply(_ checked: CheckedRun, parallel: Int, attendance: Attendance) async throws(RunSessionError) -> Finished {
    let new = checked.new
    let runbook = new.plan.model
    let id = new.id ?? RunIdentifier.make { (try? store.run($0)) != nil }
    let started = Date()
    let lockName: String
    do {
      lockName = try runbook.lockName(params: new.params, environment: environment, runID: id, started: started)
    } catch {
      throw RunSessionError(.invalidInput, "the lock cannot be evaluated, so the run does not start: \(error.message)")
    }
    let file = new.file.hasPrefix("/") ? new.file : new.workingDirectory + "/" + new.file
    let record = RunRecord(
      id: id, runbookName: runbook.name.value, file: file, source: runbook.text, sha256: runbook.sha256,
      params: Self.journaledParams(runbook, new.params), fromPlanFile: new.fromPlanFile, lockName: lockName, status: .running,
      startedAt: started, pid: getpid(), host: host, workingDirectory: new.workingDirectory,
      secretsGiven: runbook.params.filter { $0.secret && new.params[$0.name].map { $0 != .null } == true }.map(\.name),
      approvers: new.approvers, inventory: new.plan.inventory)
    return try await execute(new.plan, params: new.params, record: record, isNew: true, resume: ResumeInstructions(), parallel: parallel, attendance: attendance) {
      () async throws(RunSessionError) -> [FactDrift] in try await drift(new, review: checked.review, interruption: attendance.interruption)
    }
  }

  /// The params the journal keeps: every non-secret value, never a secret.
  public static func journaledParams(_ runbook: Runbook, _ params: ParamValues) -> [String: JSONValue] {
    var stored: [String: JSONValue] = [:]
    for spec in runbook.params where !spec.secret {
      if let value = params[spec.name] { stored[spec.name] = value.json }
    }
    return stored
  }

  // MARK: resume

  /// A journaled run that may be resumed, and the runbook text to resume it with.
  public struct ResumePoint: Sendable {
    public var record: RunRecord
    /// The journaled text, or the file's new text when it changed and that was allowed.
    public var text: String
    /// The params journaled with the run; secrets are given again.
    public var params: [String: Value]
    /// Things the operator should know (the runbook file is gone…).
    public var notes: [String]
  }

  /// The run `id` as resume finds it, or nil when it already succeeded and there is nothing to
  /// do. It refuses a run whose engine may still run it, one applied in a directory that is
  /// gone (it changes into that directory otherwise), and one whose runbook file changed
  /// unless `allowChanged`.
  public func resumePoint(_ id: String, allowChanged: Bool) throws(RunSessionError) -> ResumePoint? {
    guard let record = try? store.run(id) else {
      throw RunSessionError(.unknownRun, "no run '\(id)'")
    }
    let observer = LockHolder.current(name: "", runID: "", host: host)
    if let standing = record.engineStanding(locks: (try? store.locks()) ?? [], seenFrom: observer), standing != .gone {
      throw RunSessionError(
        .stillRunning,
        "run \(id) is still running, or cannot be proven stopped (pid \(record.pid) on \(record.host)); resuming it now could run its steps twice: wait for it to end (`runbook show \(id)\(commandSuffix)`)")
    }
    guard record.status.isResumable else { return nil }
    // Relative paths, `./*.yaml` in a script, a cwd-less exec: all mean what they meant at apply.
    if !record.workingDirectory.isEmpty, chdir(record.workingDirectory) != 0 {
      throw RunSessionError(
        .invalidInput,
        "run \(id) was applied in \(record.workingDirectory), which is gone (\(String(cString: strerror(errno)))); its relative paths would mean something else elsewhere")
    }
    var point = ResumePoint(record: record, text: record.source, params: record.params.mapValues { Value($0) }, notes: [])
    guard !record.fromPlanFile else { return point }
    guard case .success(let data) = InputFile.read(record.file) else {
      point.notes.append("\(record.file) is gone or unreadable; resuming with the runbook text journaled at apply")
      return point
    }
    let current = String(decoding: data, as: UTF8.self)
    guard Runbook.sha256(current) != record.sha256 else { return point }
    guard allowChanged else {
      throw RunSessionError(
        .invalidInput,
        "\(record.file) changed since run \(record.id) began (sha256 \(record.sha256.prefix(12))… is now \(Runbook.sha256(current).prefix(12))…); resume with --allow-changed to run the new text")
    }
    point.text = current
    return point
  }

  /// Executes the rest of a resumed run: every secret given at apply must be given again, and
  /// every step the instructions name must exist.
  public func resume(
    _ point: ResumePoint, plan: Plan, params: ParamValues, instructions: ResumeInstructions, parallel: Int, attendance: Attendance
  ) async throws(RunSessionError) -> Finished {
    let runbook = plan.model
    let id = point.record.id
    // A secret given at apply is never journaled: running on without it would run with nothing.
    // An empty value counts as none: it is what CI gives for a secret it does not have.
    for name in point.record.secretsGiven where params[name].map({ $0 == .null || $0 == .string("") }) ?? true {
      let from = runbook.param(name)?.env.map { " or in $\($0)" } ?? ""
      throw RunSessionError(.invalidInput, "secret param '\(name)' had a value when run \(id) began and is never journaled; give it again with -p \(name)=VALUE\(from)")
    }
    for given in instructions.approve.union(instructions.retry).union(instructions.markDone).sorted() {
      // STEP, STEP[INDEX] for one iteration of a for_each step, STEP@HOST for one host of a
      // step on hosts (--retry, --mark-done).
      var name = given
      if let at = given.firstIndex(of: "@") {
        name = String(given[..<at])
        let hostName = String(given[given.index(after: at)...])
        guard runbook.step(name)?.hosts != nil, !instructions.approve.contains(given), plan.inventory?.host(named: hostName) != nil else {
          throw RunSessionError(
            .invalidInput,
            "'\(given)' names no host of a step: STEP@HOST is for --retry and --mark-done of a step with on:, HOST from the run's inventory (see `runbook show \(id)\(commandSuffix)`)")
        }
      }
      var step = name
      if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
        step = String(name[..<open])
        let index = name[name.index(after: open)..<name.index(before: name.endIndex)]
        guard Int(index).map({ $0 >= 0 }) == true, runbook.step(step)?.forEach != nil, !instructions.approve.contains(name) else {
          throw RunSessionError(
            .invalidInput,
            "'\(name)' names no iteration: STEP[INDEX] is for --retry and --mark-done of a for_each step, INDEX from 0 (see `runbook show \(id)\(commandSuffix)`)")
        }
      }
      guard runbook.step(step) != nil else {
        let suggestion = Suggestion.closest(to: step, in: plan.graph.ids).map { "; did you mean '\($0)'?" } ?? ""
        throw RunSessionError(.invalidInput, "run \(id) has no step '\(step)'\(suggestion)")
      }
    }
    var record = point.record
    record.source = point.text
    return try await execute(plan, params: params, record: record, isNew: false, resume: instructions, parallel: parallel, attendance: attendance) {
      () async throws(RunSessionError) -> [FactDrift] in []
    }
  }

  // MARK: executing

  /// Takes the lock, asks `admit` (which may refuse, or give the drift a run goes on with),
  /// journals a new run, runs the executor and journals how it ended; the lock is released
  /// whatever happens.
  private func execute(
    _ plan: Plan, params: ParamValues, record: RunRecord, isNew: Bool, resume: ResumeInstructions, parallel: Int, attendance: Attendance,
    admit: () async throws(RunSessionError) -> [FactDrift]
  ) async throws(RunSessionError) -> Finished {
    let pid = getpid()
    let takenOver = try takeLock(record)
    defer { try? store.releaseLock(record.lockName, runID: record.id) }
    let drift = try await admit()
    if isNew {
      do {
        try store.beginRun(record)
      } catch let error as StateStoreError where error.code == .duplicateRun {
        throw RunSessionError(.invalidInput, "\(error.message); --run-id must be unique", cause: error)
      } catch {
        throw RunSessionError(.invalidInput, "\(error)", cause: error)
      }
    }
    for changed in drift {
      let note = "run on with --allow-drift: \(changed.line)"
      try? store.journal(JournalEvent(runID: record.id, at: Date(), kind: "plan.drift", message: note))
      attendance.observer.observe(RunEvent(.note, runID: record.id, message: note))
    }
    if isNew { attendance.started(record, plan) }
    if let previous = takenOver {
      let note = "took over lock '\(record.lockName)' from \(previous.description), whose process is gone"
      try? store.journal(JournalEvent(runID: record.id, at: Date(), kind: "lock.taken_over", message: note))
      attendance.observer.observe(RunEvent(.note, runID: record.id, message: note))
    }
    let executor = Executor(
      plan: plan, params: params, registry: registry, store: store,
      configuration: .init(runID: record.id, runStarted: record.startedAt, parallel: parallel, resume: resume, environment: environment),
      observer: attendance.observer, approver: attendance.approver, interruption: attendance.interruption, hostRunner: hostRunner)
    do {
      try store.updateRun(record.id, status: .running, pid: pid, host: host, at: Date())
      let outcome = try await executor.run()
      await hostRunner?.close()
      try store.updateRun(record.id, status: outcome.runStatus, pid: pid, host: host, at: Date())
      return Finished(runID: record.id, outcome: outcome)
    } catch {
      await hostRunner?.close()
      throw RunSessionError(.journal, "the journal failed, the run stops here: \(error)", cause: error)
    }
  }

  /// Takes the run's lock; the holder it took over from, if that holder was certainly gone.
  private func takeLock(_ record: RunRecord) throws(RunSessionError) -> LockHolder? {
    let holder = LockHolder.current(name: record.lockName, runID: record.id, host: host)
    let outcome: LockOutcome
    do {
      outcome = try store.acquireLock(holder) { current in current.isStale(seenFrom: holder) }
    } catch {
      throw RunSessionError(.invalidInput, "\(error)", cause: error)
    }
    switch outcome {
    case .acquired:
      return nil
    case .tookOver(let previous):
      return previous
    case .heldBy(let current):
      throw RunSessionError(
        .locked,
        "lock '\(record.lockName)' is held by \(current.description); if that run is gone for good, release it with: runbook unlock \(ShellQuoting.quote(record.lockName)) --force\(commandSuffix)")
    }
  }
}
