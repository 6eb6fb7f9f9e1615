/// The plan as a reviewer reads it in a terminal.
extension Plan {
  public func text() -> String {
    var out = probeHeadline()
    out += header()
    if !preconditions.isEmpty {
      out += "\nBefore the first step, these must hold:\n"
      for check in preconditions { out += Self.lines(check, indent: "  ") }
    }
    out += "\n\(Effect.legend)\n"
    for (index, stage) in stages.enumerated() {
      let parallel = stage.count > 1 ? " — \(stage.count) steps may run in parallel" : ""
      out += "\nStage \(index + 1)\(parallel)\n"
      for step in stage { out += Self.lines(step) }
    }
    out += "\n" + summary.sentence + "\n"
    return VisibleText.block(out)
  }

  /// What `apply` shows before asking: the header, the steps that need approval, the counts;
  /// `runbook plan` shows every step.
  public func summaryText() -> String {
    var out = header()
    let approvals = stages.joined().filter { $0.approval != nil && $0.willRun }
    if !approvals.isEmpty {
      out += "Approval needed for: \(approvals.map(\.id).joined(separator: ", "))\n"
    }
    return VisibleText.block(out + summary.sentence + "\n")
  }

  private func header() -> String {
    var out = "Plan: \(runbook.name)"
    if let title = runbook.title { out += " — \(VisibleText.line(title))" }
    out += "\nRunbook: \(runbook.file) (sha256 \(runbook.sha256.prefix(12)))\n"
    if !params.isEmpty {
      out += "Params:\n"
      let width = params.map(\.name.count).max() ?? 0
      for p in params {
        out += "  \(p.name.padding(toLength: width, withPad: " ", startingAt: 0)) = \(Self.show(p.value))  (\(p.origin.rawValue))\n"
      }
    }
    out += "Lock: \(lock.plainText)\n"
    if !programs.entries.isEmpty {
      out += "Programs:\n" + programs.entries.keys.sorted().map { "  \($0) = \(programs.entries[$0]!)\n" }.joined()
    }
    if let probe {
      out += "Probed: \(RunEvent.timestamp(probe.at)) — values marked (probed) were read live then; \(probe.facts.count) fact\(probe.facts.count == 1 ? "" : "s") recorded, which apply of a sealed plan reads again\n"
    }
    return out
  }

  /// With a probe that found what would stop an apply, that comes first.
  private func probeHeadline() -> String {
    guard let probe, !probe.wouldProceed else { return "" }
    let when = probe.runPreconditionsHold ? "apply would stop at a step:" : "apply would stop before the first step:"
    return "BLOCKED NOW: \(when)\n" + probe.blockers.map { "  ✗ \(VisibleText.line($0))\n" }.joined() + "\n"
  }

  /// How a probe left a step or an iteration, on one line.
  static func probeText(_ probe: StepProbe) -> String {
    switch probe.status {
    case .succeeded: "probed: read live, outputs below"
    case .skipped where probe.message == "when is false": "probed: when is false now, so it will be skipped"
    case .skipped where probe.message == "already done (skip_if)": "probed: already done now (skip_if holds), so it will be skipped"
    case .skipped: "probed: \(probe.message ?? "skipped")"
    case .blocked where probe.message?.hasPrefix("not probed:") == true, .pending: probe.message ?? ""
    case .blocked: "probed: blocked now — \(probe.message ?? "")"
    default: "probed: \(probe.status.rawValue) — \(probe.message ?? "")"
    }
  }

  /// A check's live result, on one line.
  static func findingText(_ finding: ProbeReport.Finding) -> String {
    let detail = finding.message.map { " — \($0)" } ?? ""
    switch finding.status {
    case .held: return "now: holds"
    case .notHeld: return "now: does not hold\(detail)"
    case .notChecked: return "now: not checked\(detail)"
    case .broken: return "now: cannot be evaluated\(detail)"
    }
  }

  /// A probed step's outputs, one line each, cut to fit a line.
  static func probedOutputs(_ outputs: [String: Value], indent: String) -> String {
    guard !outputs.isEmpty else { return "" }
    var out = "\(indent)outputs (probed):\n"
    for name in outputs.keys.sorted() {
      var text = show(outputs[name]!)
      if text.count > 160 { text = String(text.prefix(159)) + "…" }
      out += "\(indent)  \(name) = \(text)\n"
    }
    return out
  }

  /// `on: etcd → node1, node2, node3` and the batches they are visited in.
  static func hostLines(_ hosts: Hosts, indent pad: String) -> String {
    let become = hosts.become ? ", as root (sudo -n)" : ""
    guard case .list(let names) = hosts.names else {
      return "\(pad)on: \(VisibleText.line(hosts.source)) → \(VisibleText.line(hosts.names.plainText))\(become)\n"
    }
    var out = "\(pad)on: \(VisibleText.line(hosts.source)) → \(names.isEmpty ? "no hosts" : names.map { VisibleText.line($0.plainText) }.joined(separator: ", "))\(become)\n"
    if hosts.batches.count > 1 {
      let batches = hosts.batches.map { "[" + $0.map(VisibleText.line).joined(separator: ", ") + "]" }.joined(separator: " ")
      out += "\(pad)  \(hosts.batches.count) batches: \(batches); a batch with more than \(hosts.maxFail) failed stops the rest\n"
    }
    return out
  }

  static func lines(_ step: Step) -> String {
    let call = step.call
    var out = "  \(call.effect.marker) \(step.id)"
    if let title = step.title { out += " — \(VisibleText.line(title.plainText))" }
    out += "\n      action: \(call.action) (\(call.effect.rawValue)\(step.idempotent ? ", idempotent" : ", not idempotent"))\n"
    let pad = "      "
    if let probe = step.probe { out += "\(pad)\(VisibleText.line(probeText(probe)))\n" }
    if !step.needs.isEmpty { out += "\(pad)needs: \(step.needs.joined(separator: ", "))\n" }
    if let when = step.when {
      out += "\(pad)when: \(when.source) → \(conditionText(when.value, false: "false: the step will be skipped"))\n"
    }
    for check in step.skipIf { out += "\(pad)skip if already done:\n" + lines(check, indent: pad + "  ") }
    for check in step.preconditions { out += "\(pad)precondition:\n" + lines(check, indent: pad + "  ") }
    if let approval = step.approval { out += "\(pad)approval: \(VisibleText.line(approval.plainText))\n" }
    if let hosts = step.hosts { out += hostLines(hosts, indent: pad) }
    if let loop = step.loop {
      let pace = loop.maxParallel.map { $0 == 1 ? ", one at a time" : ", \($0) at a time" } ?? ""
      switch loop.items {
      case .list(let items):
        out += "\(pad)for each \(loop.itemName) in \(loop.source) (\(items.count) items\(pace)\(loop.probed ? ", probed" : "")):\n"
        for iteration in loop.iterations {
          out += "\(pad)  [\(show(iteration.item))]\n"
          for check in iteration.skipIf { if let finding = check.finding { out += "\(pad)    skip_if \(VisibleText.line(findingText(finding)))\n" } }
          for check in iteration.preconditions { if let finding = check.finding { out += "\(pad)    precondition \(VisibleText.line(findingText(finding)))\n" } }
          if let probe = iteration.probe { out += "\(pad)    \(VisibleText.line(probeText(probe)))\n" }
          out += callLines(iteration.call, indent: pad + "    ")
        }
      default:
        out += "\(pad)for each \(loop.itemName) in \(loop.source) \(loop.items.plainText)\(pace):\n"
        out += callLines(call, indent: pad + "  ")
      }
    } else {
      out += callLines(call, indent: pad)
    }
    var limits: [String] = []
    if let timeout = step.timeout { limits.append("timeout \(timeout)") }
    if let retry = step.retry {
      limits.append("retry: \(retry.attempts) attempts, delay \(retry.delay), backoff ×\(Value.format(retry.backoff).replacingOccurrences(of: ".0", with: ""))")
    }
    if step.onFailure == .continue { limits.append("on failure: continue") }
    if !limits.isEmpty { out += "\(pad)\(limits.joined(separator: " · "))\n" }
    for check in step.verify { out += "\(pad)verify:\n" + lines(check, indent: pad + "  ") }
    if let undo = step.undo { out += "\(pad)undo: \(undo.action)\n" + callLines(undo, indent: pad + "  ") }
    if let probe = step.probe, probe.status == .succeeded { out += probedOutputs(probe.outputs, indent: pad) }
    return out
  }

  static func callLines(_ call: Call, indent: String) -> String {
    var out = ""
    for input in call.inputs where !(call.preview.commands.isEmpty == false && isShownByCommand(input.name)) {
      out += "\(indent)\(input.name): \(show(input.value))\(input.probed ? "  (probed)" : "")\n"
    }
    // A command line that holds a probed value says so in a comment, so it still pastes.
    let probed = call.inputs.contains(where: \.probed) ? "  # probed" : ""
    if call.preview.commands.isEmpty {
      out += "\(indent)\(VisibleText.line(call.preview.summary))\(probed)\n"
    } else {
      for command in call.preview.commands {
        let lines = command.split(separator: "\n", omittingEmptySubsequences: false)
        out += "\(indent)$ \(lines[0])\(lines.count == 1 ? probed : "")\n"
        for line in lines.dropFirst() { out += "\(indent)  \(line)\n" }
      }
    }
    return out
  }

  /// Inputs whose value is already visible in the command line.
  private static func isShownByCommand(_ name: String) -> Bool { ["argv", "run"].contains(name) }

  static func lines(_ check: Check, indent: String) -> String {
    var out: String
    if check.call.action == CheckSpec.expressionOnlyAction, check.call.inputs.isEmpty {
      out = "\(indent)\(check.call.effect.marker) check the expression\n"
    } else {
      out = "\(indent)\(check.call.effect.marker) check \(check.call.action)\n"
      out += callLines(check.call, indent: indent + "  ")
    }
    if let expect = check.expect { out += "\(indent)  expect \(expect)\n" }
    if let finding = check.finding { out += "\(indent)  \(VisibleText.line(findingText(finding)))\n" }
    if let within = check.within {
      out += "\(indent)  polled until it holds, within \(within)\(check.every.map { ", every \($0)" } ?? "")\n"
    }
    if let unless = check.unless {
      out += "\(indent)  unless \(unless.source) → \(conditionText(unless.value, false: "false: the check applies"))\n"
    }
    if let message = check.message { out += "\(indent)  otherwise: \(VisibleText.line(message.plainText))\n" }
    return out
  }

  static func conditionText(_ value: Value, false falseText: String) -> String {
    switch value {
    case .bool(true): "true"
    case .bool(false): falseText
    default: value.plainText
    }
  }

  /// A value on one line: strings as they are, lists and maps as JSON, unknowns as placeholders.
  static func show(_ value: Value) -> String {
    switch value {
    case .string(let s): VisibleText.line(s)
    default: VisibleText.line(value.plainText)
    }
  }
}

extension Plan.Summary {
  /// `5 steps in 4 stages: 2 read-only, 2 mutating, 1 destructive; 1 approval; ...`
  public var sentence: String {
    var effects: [String] = []
    for effect in Effect.allCases { if let n = byEffect[effect], n > 0 { effects.append("\(n) \(effect.rawValue)") } }
    var parts = ["\(steps) step\(steps == 1 ? "" : "s") in \(stages) stage\(stages == 1 ? "" : "s")"]
    if !effects.isEmpty { parts[0] += ": " + effects.joined(separator: ", ") }
    if skipped > 0 { parts.append("\(skipped) skipped by when") }
    if approvals > 0 { parts.append("\(approvals) approval\(approvals == 1 ? "" : "s")") }
    if preconditions > 0 { parts.append("\(preconditions) run-level precondition\(preconditions == 1 ? "" : "s")") }
    return "Summary: " + parts.joined(separator: "; ") + "."
  }
}
