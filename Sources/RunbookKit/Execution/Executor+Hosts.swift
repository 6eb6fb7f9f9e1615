import Foundation

extension Executor {
  /// A step with `on:`: its hosts in batches (`serial:`), the hosts of a batch at once, each
  /// one journaled on its own with its own guards, action and verify run on that host; the
  /// batches after one with more failures than `max_fail` are not started, and a resumed step
  /// goes only to the hosts not yet done (docs/running.md, "Steps on hosts"). Its outputs are,
  /// per output name, a map from host name to that host's value.
  func runOnHosts(_ step: Step, _ targeting: HostTargeting, record: inout StepRecord, context: EvaluationContext) async throws -> StepFinish {
    var hosts: [InventoryHost]
    do {
      hosts = try resolveHosts(targeting.on, context)
    } catch {
      if isProbing, error.message == Self.unknownToProbe { return try finish(&record, .blocked, message: error.message, event: "step.not_probed") }
      return try finish(&record, .failed, message: mask("on: \(error.message)"), event: "step.failed")
    }
    // As in Ansible, a host that failed an earlier step (within its max_fail) is out of the run.
    let dropped = droppedHosts()
    let leftOut = hosts.filter { dropped.contains($0.name) }.map(\.name)
    hosts.removeAll { dropped.contains($0.name) }
    let batches = targeting.batches(hosts)
    record.status = .running
    record.startedAt = record.startedAt ?? Date()
    try save(record, event: "step.started")
    let note = leftOut.isEmpty ? "" : "; left out, having failed an earlier step: \(leftOut.joined(separator: ", "))"
    observer.observe(RunEvent(.stepStarted, runID: runID, step: step.name, message: Self.describe(hosts: hosts.count, batches: batches.count) + note))

    var outcomes: [String: StepFinish] = [:]
    var stoppedAfter: (batch: Int, failed: Int, size: Int)?
    for (index, batch) in batches.enumerated() where stoppedAfter == nil && !interruption.isInterrupted {
      try await withThrowingTaskGroup(of: (String, StepFinish).self) { group in
        for host in batch {
          group.addTask { (host.name, try await self.runOnHost(step, host, targeting: targeting, context: context)) }
        }
        while let (name, outcome) = try await group.next() { outcomes[name] = outcome }
      }
      let failed = batch.filter { outcomes[$0.name]?.status.isDone != true }.count
      // A probe goes through every batch: each host's guards are facts to show.
      if failed > 0, targeting.stops(failed: failed, of: batch.count), !isProbing { stoppedAfter = (index + 1, failed, batch.count) }
    }
    record.outputs = outputsByHost(step.name, hosts: hosts)
    let unfinished = hosts.filter { outcomes[$0.name]?.status.isDone != true }
    if unfinished.isEmpty {
      if isProbing, probeRefusal(step) != nil {
        return try finish(&record, .skipped, message: hosts.isEmpty ? "nothing to do now: no hosts" : "already done now on every host (skip_if)", event: "step.skipped")
      }
      return try finish(&record, .succeeded, message: nil, event: "step.succeeded")
    }
    if isProbing, let refusal = probeRefusal(step), unfinished.allSatisfy({ outcomes[$0.name]?.message == refusal }) {
      return try finish(&record, .blocked, message: refusal, event: "step.not_probed")
    }
    let statuses = unfinished.compactMap { outcomes[$0.name]?.status }
    let first = unfinished.first { outcomes[$0.name] != nil }.map { "\($0.name): \(outcomes[$0.name]?.message ?? "not done")" }
    let notDone = "\(unfinished.count) of \(hosts.count) hosts not done" + (first.map { "; first: \($0)" } ?? "")
    if statuses.contains(.interrupted) || interruption.isInterrupted {
      return try finish(&record, .interrupted, message: notDone, event: "step.interrupted")
    }
    if let stoppedAfter {
      let left = unfinished.filter { outcomes[$0.name] == nil }.map(\.name)
      // Hosts stopped by a precondition (or in doubt, or awaiting approval) and none failed:
      // the step is blocked, as it is where `runbook` runs (exit 3), not failed.
      let blockedOnly = !statuses.isEmpty && statuses.allSatisfy { $0 == .blocked || $0 == .inDoubt || $0 == .awaitingApproval }
      let message = "\(notDone); stopped after batch \(stoppedAfter.batch): \(stoppedAfter.failed) of \(stoppedAfter.size) \(blockedOnly ? "blocked" : "failed") (max_fail \(targeting.maxFail))"
        + (left.isEmpty ? "" : "; not started: \(left.joined(separator: ", "))")
      if blockedOnly { return try finish(&record, .blocked, message: message, event: "step.blocked") }
      return try finish(&record, .failed, message: message, event: "step.failed")
    }
    if statuses.contains(.blocked) || statuses.contains(.inDoubt) || statuses.contains(.awaitingApproval) {
      return try finish(&record, .blocked, message: notDone, event: "step.blocked")
    }
    // A step done on no host at all is not done, whatever max_fail allows.
    if unfinished.count == hosts.count {
      return try finish(&record, .failed, message: "\(notDone): it is done on no host", event: "step.failed")
    }
    // Every batch went on: the failures stayed within max_fail, and the step counts as done
    // on the hosts it is done on (`steps.ID.hosts`); the others are out of the run from here.
    return try finish(&record, .succeeded, message: "\(notDone), within max_fail \(targeting.maxFail)", event: "step.succeeded")
  }

  /// One host of a step on hosts: the in-doubt rule, the guards, the action and verify, all on
  /// that host, with `host` bound.
  private func runOnHost(_ step: Step, _ host: InventoryHost, targeting: HostTargeting, context: EvaluationContext) async throws -> StepFinish {
    let key = StepKey(step: step.name, host: host.name)
    let previous = record(key)
    if let previous, previous.status.isDone { return StepFinish(status: previous.status) }
    var current = previous ?? StepRecord(runID: runID, step: step.name, host: host.name, status: .pending)
    current.message = nil
    if previous != nil, configuration.resume.marksDone(key) {
      return try finish(&current, .succeeded, message: "marked done by the operator", event: "step.marked_done")
    }
    let scoped = context.binding("host", to: Self.hostValue(host))
    let placement = HostPlacement(host: host, become: targeting.become ?? host.connection.become)
    return try await HostPlacement.$current.withValue(placement) {
      if let doubt = previous, doubt.status.isInDoubt {
        if let resolved = try await resolveInDoubt(step, key: key, record: &current, context: scoped) { return resolved }
      }
      if let guarded = try await guards(step, record: &current, context: scoped) { return guarded }
      return try await runAttempts(step, key: key, record: &current, context: scoped, item: nil)
    }
  }

  /// Hosts that failed a step the run counts as done (its failures within `max_fail`).
  private func droppedHosts() -> Set<String> {
    Set(allRecords().filter { $0.host != nil && $0.status == .failed && record(StepKey(step: $0.step))?.status.isDone == true }.compactMap(\.host))
  }

  /// Whether `on:` places the step on hosts: not when it gives null or "" (a shipped runbook's
  /// `on: ${{ params.hosts }}` left unset runs where `runbook` runs).
  static func placesOnHosts(_ targeting: HostTargeting, _ context: EvaluationContext) -> Bool {
    guard let value = try? Evaluator.evaluate(targeting.on, in: context) else { return true }
    return value != .null && value != .string("")
  }

  /// The hosts `on:` names, in visit order: each name or pattern resolved in the inventory, a
  /// host named twice visited once.
  private func resolveHosts(_ on: Template, _ context: EvaluationContext) throws(HostResolutionFailure) -> [InventoryHost] {
    let value: Value
    do {
      value = try Evaluator.evaluate(on, in: context)
    } catch {
      throw HostResolutionFailure(message: error.message)
    }
    if value.containsUnknown { throw HostResolutionFailure(message: Self.unknownToProbe) }
    let patterns: [String]
    switch value {
    case .string(let pattern): patterns = [pattern]
    case .list(let items):
      var names: [String] = []
      for item in items {
        guard case .string(let name) = item else { throw HostResolutionFailure(message: "gave \(item.typeName) in its list, not a host name") }
        names.append(name)
      }
      patterns = names
    default: throw HostResolutionFailure(message: "gave \(value.typeName), not a host or group name or a list of them")
    }
    guard let inventory else {
      throw HostResolutionFailure(message: "this step runs on hosts (\(patterns.joined(separator: ", "))), but no inventory was given: pass -i INVENTORY or set RUNBOOK_INVENTORY")
    }
    var seen: Set<String> = []
    var hosts: [InventoryHost] = []
    for pattern in patterns {
      do {
        for name in try inventory.select(pattern) where seen.insert(name).inserted {
          if let host = inventory.host(named: name) { hosts.append(host) }
        }
      } catch {
        throw HostResolutionFailure(message: error.diagnostic.message)
      }
    }
    return hosts
  }

  struct HostResolutionFailure: Error {
    var message: String
  }

  /// `host` as expressions read it: `host.name`, `host.vars.X`, `host.groups`.
  static func hostValue(_ host: InventoryHost) -> Value {
    .map(["name": .string(host.name), "vars": .map(host.vars), "groups": .list(host.groups.map(Value.string))])
  }

  private func outputsByHost(_ step: String, hosts: [InventoryHost]) -> [String: JSONValue] {
    let records = hosts.compactMap { host in record(StepKey(step: step, host: host.name)).map { (host.name, $0) } }
    let names = Set(records.flatMap { $0.1.outputs.keys })
    var byName: [String: JSONValue] = [:]
    for name in names {
      byName[name] = .object(records.compactMap { host, record in record.outputs[name].map { .init(host, $0) } })
    }
    return byName
  }

  static func describe(hosts: Int, batches: Int) -> String {
    let hostWord = hosts == 1 ? "1 host" : "\(hosts) hosts"
    return batches <= 1 ? hostWord : "\(hostWord) in \(batches) batches"
  }
}
