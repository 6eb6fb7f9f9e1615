/// The plan as JSON, for tools and CI.
extension Plan {
  public func json() -> JSONValue {
    [
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
  }

  static func json(_ step: Step) -> JSONValue {
    let loop: JSONValue = step.loop.map { loop in
      [
        "source": .string(loop.source), "as": .string(loop.itemName), "items": loop.items.json,
        "known": .bool(!loop.items.containsUnknown), "max_parallel": loop.maxParallel.map { .int($0) } ?? .null,
        "iterations": .array(loop.iterations.map { ["item": $0.item.json, "call": json($0.call)] }),
      ]
    } ?? .null
    let value: JSONValue = [
      "id": .string(step.id), "title": step.title?.json ?? .null, "stage": .int(Int64(step.stage)),
      "needs": .array(step.needs.map { .string($0) }), "call": json(step.call), "for_each": loop,
      "when": step.when.map(json) ?? .null, "will_run": .bool(step.willRun),
      "skip_if": .array(step.skipIf.map(json)), "preconditions": .array(step.preconditions.map(json)),
      "approval": step.approval?.json ?? .null,
      "retry": step.retry.map { ["attempts": .int($0.attempts), "delay": .string($0.delay.text), "backoff": .double($0.backoff)] } ?? .null,
      "timeout": .optional(step.timeout?.text), "on_failure": .string(step.onFailure.rawValue),
      "idempotent": .bool(step.idempotent), "verify": .array(step.verify.map(json)), "undo": step.undo.map(json) ?? .null,
    ]
    return value
  }

  static func json(_ call: Call) -> JSONValue {
    [
      "action": .string(call.action), "effect": .string(call.effect.rawValue), "idempotent": .bool(call.idempotent),
      "inputs": .object(call.inputs.map { JSONValue.Member($0.name, $0.value.json) }),
      "summary": .string(call.preview.summary), "commands": .array(call.preview.commands.map { .string($0) }),
    ]
  }

  static func json(_ check: Check) -> JSONValue {
    [
      "call": json(check.call), "expect": .optional(check.expect), "message": check.message?.json ?? .null,
      "unless": check.unless.map(json) ?? .null, "within": .optional(check.within?.text), "every": .optional(check.every?.text),
    ]
  }

  static func json(_ condition: Condition) -> JSONValue {
    ["source": .string(condition.source), "value": condition.value.json, "known": .bool(!condition.value.containsUnknown)]
  }
}
