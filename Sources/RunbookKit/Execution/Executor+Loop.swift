import Foundation

extension Executor {
  /// A `for_each` step: each iteration journaled on its own, at most `max_parallel` (default 1)
  /// at once, with its own `skip_if` and `preconditions`; a resumed loop runs only the
  /// iterations not yet done. Its outputs are, per output
  /// name, the list of the iterations' values in item order.
  func runLoop(_ step: Step, over forEach: Template, record: inout StepRecord, context: EvaluationContext) async throws -> StepFinish {
    let evaluated: Value
    do {
      evaluated = try Evaluator.evaluate(forEach, in: context)
    } catch {
      return try finish(&record, .failed, message: mask("for_each: \(error.message)"), event: "step.failed")
    }
    if isProbing, evaluated.containsUnknown {
      return try finish(&record, .blocked, message: Self.unknownToProbe, event: "step.not_probed")
    }
    guard case .list(let items) = evaluated else {
      return try finish(&record, .failed, message: "for_each gave \(evaluated.typeName), not a list", event: "step.failed")
    }
    record.status = .running
    record.startedAt = record.startedAt ?? Date()
    try save(record, event: "step.started")
    observer.observe(RunEvent(.stepStarted, runID: runID, step: step.name, message: "\(items.count) iterations"))

    let limit = max(1, Int(step.maxParallel ?? 1))
    // Items drawn from a secret param are secret whatever their length (the masker leaves out
    // values too short to mask safely): journaled and named as `***`.
    let secrets = Set(runbook.params.filter(\.secret).map(\.name))
    let secretItems = forEach.expressions.contains { !secrets.isDisjoint(with: $0.paramReferences) }
    var outcomes: [Int: StepFinish] = [:]
    var next = 0
    var stop = false
    try await withThrowingTaskGroup(of: (Int, StepFinish).self) { group in
      var running = 0
      func fill() {
        while !stop, running < limit, next < items.count, !interruption.isInterrupted {
          let index = next
          next += 1
          running += 1
          group.addTask { (index, try await self.runIteration(step, index: index, item: items[index], secret: secretItems, context: context)) }
        }
      }
      fill()
      while let (index, outcome) = try await group.next() {
        running -= 1
        outcomes[index] = outcome
        // A probe goes through every iteration: each one's guards are facts to show.
        if !outcome.status.isDone && step.onFailure != .continue && !isProbing { stop = true }
        fill()
      }
    }
    record.outputs = mergedOutputs(step.name, count: items.count)
    let unfinished = items.indices.filter { outcomes[$0]?.status.isDone != true }
    if unfinished.isEmpty {
      // A probe that ran no iteration of a loop that changes something read only its guards.
      if isProbing, probeRefusal(step) != nil {
        return try finish(&record, .skipped, message: items.isEmpty ? "nothing to do now: the list is empty" : "every iteration is already done now (skip_if)", event: "step.skipped")
      }
      return try finish(&record, .succeeded, message: nil, event: "step.succeeded")
    }
    let statuses = unfinished.compactMap { outcomes[$0]?.status }
    let first = unfinished.first.flatMap { outcomes[$0] }
    let status: StepStatus =
      statuses.contains(.interrupted) || interruption.isInterrupted ? .interrupted
      : statuses.contains(.failed) ? .failed : statuses.contains(.blocked) || statuses.contains(.inDoubt) ? .blocked : .failed
    if isProbing, let refusal = probeRefusal(step), unfinished.allSatisfy({ outcomes[$0]?.message == refusal }) {
      return try finish(&record, .blocked, message: refusal, event: "step.not_probed")
    }
    let message = "\(unfinished.count) of \(items.count) iterations not done" + (first?.message.map { "; first: \($0)" } ?? "")
    return try finish(&record, status, message: message, event: "step.\(status.rawValue)")
  }

  private func runIteration(_ step: Step, index: Int, item: Value, secret: Bool, context: EvaluationContext) async throws -> StepFinish {
    let key = StepKey(step: step.name, iteration: index)
    let previous = record(key)
    if let previous, previous.status.isDone { return StepFinish(status: previous.status) }
    var current = previous ?? StepRecord(runID: runID, step: step.name, iteration: index, item: secret ? .string("***") : mask(item).json, status: .pending)
    current.message = nil
    if previous != nil, configuration.resume.marksDone(key) {
      return try finish(&current, .succeeded, message: "marked done by the operator", event: "step.marked_done")
    }
    let scoped = context.binding(step.itemName, to: item)
    if let doubt = previous, doubt.status.isInDoubt {
      if let resolved = try await resolveInDoubt(step, key: key, record: &current, context: scoped) { return resolved }
    }
    if let guarded = try await guards(step, record: &current, context: scoped) { return guarded }
    return try await runAttempts(step, key: key, record: &current, context: scoped, item: item)
  }

  private func mergedOutputs(_ step: String, count: Int) -> [String: JSONValue] {
    var lists: [String: [JSONValue]] = [:]
    let iterations = (0..<count).map { record(StepKey(step: step, iteration: $0)) }
    let names = Set(iterations.flatMap { $0?.outputs.keys.map { $0 } ?? [] })
    for name in names { lists[name] = iterations.map { $0?.outputs[name] ?? .null } }
    return lists.mapValues { .array($0) }
  }
}
