import Foundation
import RunbookYAML

extension Executor {
  /// One step, in the order of docs/running.md, "One step, in order": when → skip_if → preconditions → approval →
  /// action (retry, timeout) → verify. Every transition is journaled before the next move.
  func runStep(_ id: String) async throws -> StepFinish {
    guard let step = runbook.step(id) else { return StepFinish(status: .failed, message: "unknown step \(id)") }
    let key = StepKey(step: id)
    let previous = record(key)
    var current = previous ?? StepRecord(runID: runID, step: id, status: .pending)
    current.message = nil
    let context = evaluationContext()

    // A loop's iterations and a step's hosts are settled one by one; `on:` that gives no hosts
    // at all (null, "") places the step here.
    let targeting = step.hosts.flatMap { Self.placesOnHosts($0, context) ? $0 : nil }
    let isSingle = step.forEach == nil && targeting == nil
    if isSingle, configuration.resume.marksDone(key), previous?.status.isDone != true {
      return try finish(&current, .succeeded, message: "marked done by the operator", event: "step.marked_done")
    }
    if let when = step.when {
      if isProbing, (try? Evaluator.evaluate(when, in: context))?.containsUnknown == true {
        return try finish(&current, .blocked, message: Self.unknownToProbe, event: "step.not_probed")
      }
      switch evaluateCondition(when, context) {
      case .failure(let error): return try finish(&current, .failed, message: error.message, event: "step.failed")
      case .success(false): return try finish(&current, .skipped, message: "when is false", event: "step.skipped")
      case .success(true): break
      }
    }
    if isSingle, let doubt = previous, doubt.status.isInDoubt {
      if let resolved = try await resolveInDoubt(step, key: key, record: &current, context: context) { return resolved }
    }
    if isSingle, let guarded = try await guards(step, record: &current, context: context) { return guarded }
    // A probe never asks: a step waiting for approval, or one whose action changes something,
    // is left alone here (a loop's iterations and a step's hosts are refused one by one, after
    // their guards).
    if isProbing, step.approval != nil || isSingle, let refusal = probeRefusal(step) {
      return try finish(&current, .blocked, message: refusal, event: "step.not_probed")
    }
    if let approval = step.approval, !current.approved {
      let question = (try? Evaluator.evaluate(approval, in: context).plainText).map { mask($0) } ?? approval.raw
      if configuration.resume.approve.contains(id) {
        current.approved = true
        try save(current, event: "step.approved")
      } else {
        switch await approver.approve(step: id, message: question) {
        case true?:
          current.approved = true
          try save(current, event: "step.approved")
        case false?:
          return try finish(&current, .awaitingApproval, message: "approval declined: \(question)", event: "step.declined")
        case nil:
          return try finish(&current, .awaitingApproval, message: question, event: "step.awaiting_approval")
        }
      }
    }
    if let forEach = step.forEach {
      return try await runLoop(step, over: forEach, record: &current, context: context)
    }
    if let targeting {
      return try await runOnHosts(step, targeting, record: &current, context: context)
    }
    return try await runAttempts(step, key: key, record: &current, context: context, item: nil)
  }

  /// `skip_if` then `preconditions`, for a step or (with its item bound) one iteration; nil
  /// means go on.
  /// Its checks share their reads (`SharedCheckResults`).
  func guards(_ step: Step, record: inout StepRecord, context: EvaluationContext) async throws -> StepFinish? {
    let shared = SharedCheckResults()
    if !step.skipIf.isEmpty {
      var upToDate = true
      for (index, check) in step.skipIf.enumerated() where upToDate {
        switch await poll(check, context, as: .skipIf, of: record, index: index, shared: shared) {
        case .holds: break
        case .notChecked, .failure: upToDate = false
        case .broken(let message):
          return try finish(&record, .failed, message: "skip_if cannot be evaluated, so whether it is done is not known: \(message)", event: "step.failed")
        }
      }
      if upToDate { return try finish(&record, .skipped, message: "already done (skip_if)", event: "step.skipped") }
    }
    var failed: String?
    for (index, check) in step.preconditions.enumerated() {
      if let reason = await poll(check, context, as: .precondition, of: record, index: index, shared: shared).stopReason {
        failed = failed ?? reason
        // A probe shows every precondition; a run stops at the first that fails.
        if !isProbing { break }
      }
    }
    if let failed { return try finish(&record, .blocked, message: "precondition failed: \(failed)", event: "step.blocked") }
    return nil
  }

  /// What a probe says of a step or check that reads `run.*`, which only a run has.
  static let unknownToProbe = "not probed: it reads run.*, which only a run has"

  /// What a probe says of an action that only waits.
  static func waitsToProbe(_ action: String) -> String { "not probed: \(action) waits; it runs only at apply" }

  /// Why a probe does not run `step`'s action, or nil when it may: only read-only actions run,
  /// and never past an approval.
  func probeRefusal(_ step: Step) -> String? {
    let descriptor = registry[step.call.action.value]
    if descriptor?.effect != .readOnly {
      return "not probed: \(step.call.action.value) is \(descriptor?.effect.rawValue ?? "unknown"); it runs only at apply"
    }
    if descriptor?.probes == false { return Self.waitsToProbe(step.call.action.value) }
    // What it would read at apply depends on a step that changes something and may run first.
    let below = graph.descendants(of: step.name)
    if let racing = graph.order.first(where: { other in
      other != step.name && !below.contains(other) && !graph.isAncestor(other, of: step.name)
        && runbook.step(other).flatMap { registry[$0.call.action.value]?.effect } != .readOnly
    }) {
      return "not probed: \(racing), which changes something, may run before it at apply"
    }
    return step.approval == nil ? nil : "not probed: it waits for approval at apply"
  }

  /// The in-doubt rule of §7 for a step (or iteration) that was running when the engine died:
  /// nil means "run it again".
  func resolveInDoubt(_ step: Step, key: StepKey, record: inout StepRecord, context: EvaluationContext) async throws -> StepFinish? {
    if let group = record.processGroup, await commandRuns(group, record) {
      let place = record.host.map { " on \($0)" } ?? ""
      observer.observe(RunEvent(.note, runID: runID, step: key.step, iteration: key.iteration, host: key.host, item: record.itemLabel, message: "\(record.label) is in doubt and its command (process group \(group)\(place)) still runs; waiting for it to end"))
      while await commandRuns(group, record), !interruption.isInterrupted { try? await Task.sleep(for: .milliseconds(record.host == nil ? 200 : 1000)) }
      if interruption.isInterrupted { return StepFinish(status: .interrupted, message: "interrupted while waiting for \(key)") }
    }
    if configuration.resume.retries(key) || (step.idempotent ?? registry[step.call.action.value]?.idempotent ?? false) {
      return nil
    }
    if !step.verify.isEmpty {
      if case .failure(let message) = await verify(step, context, of: record) {
        return try finish(&record, .inDoubt, message: "in doubt: \(key) was running when the engine stopped, is not idempotent, and its verify checks fail (\(message)); check by hand, then: runbook resume \(runID) --retry \(key) (run it again) or --mark-done \(key) (count it done)", event: "step.in_doubt")
      }
      return try finish(&record, .succeeded, message: "in doubt, counted done: its verify checks pass", event: "step.succeeded")
    }
    return try finish(&record, .inDoubt, message: "in doubt: \(key) was running when the engine stopped and is not idempotent; check by hand, then: runbook resume \(runID) --retry \(key) (run it again) or --mark-done \(key) (count it done)", event: "step.in_doubt")
  }

  /// Whether a step's command that a dead engine left behind still runs: here, or on its host,
  /// asked through the host runner; a host that cannot be asked counts as not running, and the
  /// in-doubt rule then decides.
  private func commandRuns(_ group: Int32, _ record: StepRecord) async -> Bool {
    guard let placement = HostPlacement.current, let bootID = record.processBootID else { return ProcessGroup.leaderIsAlive(group) }
    return (try? await hostRunner?.isRunning(processGroup: group, bootID: bootID, on: placement.host)) ?? false
  }

  /// The action with retries and the step's timeout, then verify.
  func runAttempts(_ step: Step, key: StepKey, record: inout StepRecord, context: EvaluationContext, item: Value?) async throws -> StepFinish {
    guard let descriptor = registry[step.call.action.value] else {
      return try finish(&record, .failed, message: "unknown action \(step.call.action.value)", event: "step.failed")
    }
    // The one gate before any action runs: a probe runs nothing that is not read-only.
    if isProbing, let refusal = probeRefusal(step) {
      return try finish(&record, .blocked, message: refusal, event: "step.not_probed")
    }
    let input: ResolvedInput
    do {
      input = try descriptor.resolve(step.call, in: context).input
    } catch {
      return try finish(&record, .failed, message: "cannot evaluate the inputs: \(mask(error.error.message))", event: "step.failed")
    }
    if isProbing, input.values.values.contains(where: \.containsUnknown) || input.bindings.values.contains(where: \.containsUnknown) {
      return try finish(&record, .blocked, message: Self.unknownToProbe, event: "step.not_probed")
    }
    // A probe reads once: how things stand now.
    let attempts = isProbing ? 1 : max(1, Int(step.retry?.attempts ?? 1))
    var delay = Double(step.retry?.delay.milliseconds ?? 0) / 1000
    let tail = OutputTail()
    var lastError: ActionError?
    for attempt in 1...attempts {
      if interruption.isInterrupted { return try finish(&record, .interrupted, message: "interrupted before it started", event: "step.interrupted") }
      record.status = .running
      record.attempts += 1
      record.startedAt = Date()
      record.finishedAt = nil
      try save(record, event: "step.started")
      observer.observe(RunEvent(.stepStarted, runID: runID, step: key.step, iteration: key.iteration, host: key.host, item: record.itemLabel, attempt: attempt))
      do {
        let result = try await perform(descriptor, input, key: key, timeout: step.timeout, tail: tail, context: context)
        record.outputs = result.outputs.mapValues { mask($0).json }
        record.outputTail = mask(tail.text)
        lastError = nil
        break
      } catch let error as ActionError {
        lastError = error
        record.outputs = error.outputs.mapValues { mask($0).json }
        record.outputTail = mask(tail.text)
        if interruption.isInterrupted {
          return try finish(&record, .interrupted, message: "interrupted: \(mask(error.message))", event: "step.interrupted")
        }
        if error.code == .outcomeUnknown {
          // The process the action started, journaled while it ran: what resume asks about.
          if let journaled = self.record(key) {
            record.processGroup = journaled.processGroup
            record.processBootID = journaled.processBootID
          }
          return try finish(
            &record, .inDoubt,
            message: "in doubt: \(mask(error.message)); resume asks the host whether it still runs, then settles it as after a crash (docs/running.md, \"In doubt\")",
            event: "step.in_doubt")
        }
        if attempt < attempts {
          observer.observe(RunEvent(.stepRetrying, runID: runID, step: key.step, iteration: key.iteration, host: key.host, item: record.itemLabel, attempt: attempt, message: mask(error.message)))
          try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
          delay *= step.retry?.backoff ?? 1
        }
      }
    }
    if let lastError {
      let prefix = attempts > 1 ? "after \(attempts) attempts: " : ""
      return try finish(&record, .failed, message: prefix + mask(lastError.message), event: "step.failed")
    }
    var verifyContext = context.binding("steps", to: Self.merging(context.variables["steps"], step: step.name, outputs: Self.outputs(of: record)))
    if let item { verifyContext = verifyContext.binding(step.itemName, to: item) }
    if case .failure(let message) = await verify(step, verifyContext, of: record) {
      return try finish(&record, .failed, message: "verify failed: \(message)", event: "step.failed")
    }
    return try finish(&record, .succeeded, message: nil, event: "step.succeeded")
  }

  /// Runs the action, cancelling it when the step's timeout passes.
  func perform(_ descriptor: ActionDescriptor, _ input: ResolvedInput, key: StepKey, timeout: RunbookDuration?, tail: OutputTail, context: EvaluationContext) async throws -> ActionResult {
    let item = record(key)?.itemLabel
    let actionContext = makeActionContext(key: key, context: context, journalsProcesses: true) { [observer, runID, mask] line in
      let masked = OutputLine(line.stream, mask(line.text))
      tail.append(masked)
      observer.observe(RunEvent(.stepOutput, runID: runID, step: key.step, iteration: key.iteration, host: key.host, item: item, line: masked))
    }
    let act: @Sendable () async throws -> ActionResult = { [probeReads] in
      // A probe reads each action and inputs once, its checks and steps alike.
      guard let probeReads else { return try await Self.asActionError { try await self.invoke(descriptor, input, actionContext) } }
      return try await probeReads.result(action: descriptor.name, input: input) { try await Self.asActionError { try await self.invoke(descriptor, input, actionContext) } }
    }
    guard let timeout else { return try await act() }
    return try await withThrowingTaskGroup(of: ActionResult?.self) { group in
      group.addTask { try await act() }
      group.addTask {
        try await Task.sleep(for: timeout.duration)
        return nil
      }
      let first = try await group.next()!
      group.cancelAll()
      guard let result = first else {
        throw ActionError(.timedOut, "timed out after \(timeout.text); the action was stopped")
      }
      return result
    }
  }

  /// Runs an action where the step is placed: on its host through the host runner, or here.
  func invoke(_ descriptor: ActionDescriptor, _ input: ResolvedInput, _ context: ActionContext) async throws -> ActionResult {
    guard let placement = HostPlacement.current, !descriptor.runsOnEngine else { return try await descriptor.run(input, context) }
    guard let hostRunner else { throw ActionError(.cannotStart, "no transport to reach host \(placement.host.name)") }
    return try await hostRunner.run(descriptor.name, input, on: placement.host, become: placement.become, in: context)
  }

  /// Any error an action throws, as an `ActionError`.
  static func asActionError<T>(_ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch let error as ActionError {
      throw error
    } catch is CancellationError {
      throw ActionError(.interrupted, "stopped")
    } catch {
      throw ActionError(.failed, "\(error)", cause: error)
    }
  }

  func makeActionContext(
    key: StepKey, context: EvaluationContext, journalsProcesses: Bool = false, output: @escaping @Sendable (OutputLine) -> Void
  ) -> ActionContext {
    ActionContext(
      runID: runID, step: key.step, iteration: key.iteration, environment: configuration.environment, output: output,
      interruption: interruption,
      processStarted: { [self] group, bootID in
        guard journalsProcesses, var current = record(key) else { return }
        current.processGroup = group
        current.processBootID = bootID
        try? save(current, event: "step.process_started")
      },
      runCheck: { [self] name, inputs in
        guard let descriptor = registry[name], descriptor.effect == .readOnly else {
          throw ActionError(.invalidInput, "\(name) is not a read-only action")
        }
        let checkContext = makeActionContext(key: key, context: context) { _ in }
        let input: ResolvedInput
        do {
          input = try descriptor.resolved(inputs)
        } catch let mismatch as ActionDescriptor.TypeMismatch {
          throw ActionError(.invalidInput, mismatch.message(action: name))
        }
        return try await Self.asActionError { try await invoke(descriptor, input, checkContext) }.outputs
      },
      evaluateExpect: { text, outputs in
        let node = YAMLNode(.scalar(YAMLScalar(text: text, style: .plain, value: .string(text))), range: SourceRange(line: 1, column: 1, length: 1))
        let template = try Template.parse(text, node: node)
        return try Evaluator.evaluate(template, in: context.binding("check", to: .map(outputs)))
      },
      runAction: { [self] name, inputs in
        guard let descriptor = registry[name], !descriptor.runsOnEngine else {
          throw ActionError(.invalidInput, "\(name) is not an action that can be run for another")
        }
        if isProbing, descriptor.effect != .readOnly {
          throw ActionError(.invalidInput, "a probe runs only read-only actions, and \(name) is \(descriptor.effect.rawValue)")
        }
        let inner = makeActionContext(key: key, context: context, journalsProcesses: journalsProcesses, output: output)
        let input: ResolvedInput
        do {
          input = try descriptor.resolved(inputs)
        } catch let mismatch as ActionDescriptor.TypeMismatch {
          throw ActionError(.invalidInput, mismatch.message(action: name))
        }
        return try await Self.asActionError { try await invoke(descriptor, input, inner) }.outputs
      })
  }

  static func merging(_ steps: Value?, step: String, outputs: Value) -> Value {
    guard case .map(var all)? = steps else { return .map([step: .map(["outputs": outputs])]) }
    all[step] = .map(["outputs": outputs, "status": .string(StepStatus.running.rawValue)])
    return .map(all)
  }

  /// Journals the end of a step (or iteration) and tells the observer.
  func finish(_ record: inout StepRecord, _ status: StepStatus, message: String?, event: String) throws -> StepFinish {
    record.status = status
    record.message = message
    if ![.awaitingApproval, .blocked, .inDoubt].contains(status) { record.finishedAt = Date() }
    try save(record, event: event)
    let elapsed = record.startedAt.map { Date().timeIntervalSince($0) }
    observer.observe(RunEvent(.stepFinished, runID: runID, step: record.step, iteration: record.iteration, host: record.host, item: record.itemLabel, status: status.rawValue, message: message, elapsed: elapsed))
    return StepFinish(status: status, message: message)
  }
}

/// The last lines a step printed, shared between its output callback and the journal.
final class OutputTail: @unchecked Sendable {
  static let lines = 20
  private let lock = NSLock()
  private var kept: [String] = []

  func append(_ line: OutputLine) {
    lock.withLock {
      kept.append(line.stream == .stderr ? "! " + line.text : line.text)
      if kept.count > Self.lines { kept.removeFirst(kept.count - Self.lines) }
    }
  }

  var text: String { lock.withLock { kept.joined(separator: "\n") } }
}
