/// The plan as JSON, for tools and CI.
extension Plan {
  /// Probed facts appear only in a probed plan: `probe` at the top, on each step, check,
  /// iteration, and `probed_inputs` on each call.
  public func json() -> JSONValue {
    var document: JSONValue = [
      "runbook": [
        "name": .string(runbook.name), "title": .optional(runbook.title), "description": .optional(runbook.description),
        "file": .string(runbook.file), "sha256": .string(runbook.sha256),
      ],
      "params": .array(params.map { p in
        ["name": .string(p.name), "type": .string(p.type.rawValue), "value": p.value.json, "secret": .bool(p.secret), "origin": .string(p.origin.rawValue)]
      }),
      "lock": lock.json,
      "programs": programs.json,
      "preconditions": .array(preconditions.map(Self.json)),
      "stages": .array(stages.map { .array($0.map(Self.json)) }),
      "summary": [
        "steps": .int(Int64(summary.steps)), "stages": .int(Int64(summary.stages)),
        "read_only": .int(Int64(summary.byEffect[.readOnly] ?? 0)), "mutating": .int(Int64(summary.byEffect[.mutating] ?? 0)),
        "destructive": .int(Int64(summary.byEffect[.destructive] ?? 0)), "approvals": .int(Int64(summary.approvals)),
        "skipped": .int(Int64(summary.skipped)), "preconditions": .int(Int64(summary.preconditions)),
      ],
    ]
    if let probe { document = document.appending("probe", Self.json(probe)) }
    return document
  }

  static func json(_ probe: Probe) -> JSONValue {
    [
      "at": .string(RunEvent.timestamp(probe.at)), "run_preconditions_hold": .bool(probe.runPreconditionsHold),
      "would_proceed": .bool(probe.wouldProceed), "blockers": .array(probe.blockers.map { .string($0) }),
      "facts": .array(probe.facts.map { ["name": .string($0.name), "value": $0.value] }),
    ]
  }

  static func json(_ probe: StepProbe) -> JSONValue {
    [
      "status": .string(probe.status.rawValue), "message": .optional(probe.message),
      "outputs": .object(probe.outputs.keys.sorted().map { .init($0, probe.outputs[$0]!.json) }),
    ]
  }

  static func json(_ finding: ProbeReport.Finding) -> JSONValue {
    ["status": .string(finding.status.rawValue), "message": .optional(finding.message)]
  }

  static func json(_ iteration: Iteration) -> JSONValue {
    var value: JSONValue = ["item": iteration.item.json, "call": json(iteration.call)]
    if let probe = iteration.probe {
      value = value.appending("probe", json(probe))
        .appending("skip_if", .array(iteration.skipIf.map { $0.finding.map(json) ?? .null }))
        .appending("preconditions", .array(iteration.preconditions.map { $0.finding.map(json) ?? .null }))
    }
    return value
  }

  static func json(_ step: Step) -> JSONValue {
    let loop: JSONValue = step.loop.map { loop in
      [
        "source": .string(loop.source), "as": .string(loop.itemName), "items": loop.items.json,
        "known": .bool(!loop.items.containsUnknown), "max_parallel": loop.maxParallel.map { .int($0) } ?? .null,
        "iterations": .array(loop.iterations.map(json)),
      ]
    } ?? .null
    let hosts: JSONValue = step.hosts.map { hosts in
      [
        "source": .string(hosts.source), "hosts": hosts.names.json, "known": .bool(!hosts.names.containsUnknown),
        "batches": .array(hosts.batches.map { .array($0.map { .string($0) }) }), "max_fail": .string(hosts.maxFail.description),
        "become": .bool(hosts.become),
      ]
    } ?? .null
    let value: JSONValue = [
      "id": .string(step.id), "title": step.title?.json ?? .null, "stage": .int(Int64(step.stage)),
      "needs": .array(step.needs.map { .string($0) }), "call": json(step.call), "for_each": loop, "on": hosts,
      "when": step.when.map(json) ?? .null, "will_run": .bool(step.willRun),
      "skip_if": .array(step.skipIf.map(json)), "preconditions": .array(step.preconditions.map(json)),
      "approval": step.approval?.json ?? .null,
      "retry": step.retry.map { ["attempts": .int($0.attempts), "delay": .string($0.delay.text), "backoff": .double($0.backoff)] } ?? .null,
      "timeout": .optional(step.timeout?.text), "on_failure": .string(step.onFailure.rawValue),
      "idempotent": .bool(step.idempotent), "verify": .array(step.verify.map(json)), "undo": step.undo.map(json) ?? .null,
    ]
    return step.probe.map { value.appending("probe", json($0)) } ?? value
  }

  static func json(_ call: Call) -> JSONValue {
    let value: JSONValue = [
      "action": .string(call.action), "effect": .string(call.effect.rawValue), "idempotent": .bool(call.idempotent),
      "inputs": .object(call.inputs.map { JSONValue.Member($0.name, $0.value.json) }),
      "summary": .string(call.preview.summary), "commands": .array(call.preview.commands.map { .string($0) }),
    ]
    let probed = call.inputs.filter(\.probed).map { JSONValue.string($0.name) }
    return probed.isEmpty ? value : value.appending("probed_inputs", .array(probed))
  }

  static func json(_ check: Check) -> JSONValue {
    let value: JSONValue = [
      "call": json(check.call), "expect": .optional(check.expect), "message": check.message?.json ?? .null,
      "unless": check.unless.map(json) ?? .null, "within": .optional(check.within?.text), "every": .optional(check.every?.text),
    ]
    return check.finding.map { value.appending("probe", json($0)) } ?? value
  }

  static func json(_ condition: Condition) -> JSONValue {
    ["source": .string(condition.source), "value": condition.value.json, "known": .bool(!condition.value.containsUnknown)]
  }
}
