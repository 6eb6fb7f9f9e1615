extension Plan {
  /// What a probe found would stop an apply now: each run-level precondition that does not
  /// hold, then each step (or iteration) the probe reached that is blocked by a precondition
  /// or fails.
  /// Steps it did not reach are left out: the steps before them may change what they read.
  var blockers: [String] {
    var found: [String] = []
    for (index, check) in preconditions.enumerated() {
      if let finding = check.finding, [.notHeld, .broken].contains(finding.status) {
        found.append("run precondition \(index + 1) (\(check.call.action)): \(finding.message ?? finding.status.rawValue)")
      }
    }
    for step in steps {
      // A loop is blocked because its iterations are: name those.
      let iterations = (step.loop?.iterations ?? []).enumerated().map { ("\(step.id)[\($0)]", $1.probe) }
      let probes = iterations.contains { $0.1 != nil } ? iterations : [(step.id, step.probe)]
      for case let (name, probe?) in probes {
        let message = probe.message ?? probe.status.rawValue
        // Not probed, or not run because a step it needs failed: that one is named instead.
        guard !message.hasPrefix("not probed:"), !message.hasPrefix("not run:") else { continue }
        if probe.status == .blocked { found.append("step \(name): \(message)") }
        if probe.status == .failed { found.append("step \(name) fails now: \(message)") }
      }
    }
    return found
  }

  /// The probed facts this plan's rendering depends on, in plan order: each check's outcome,
  /// each probed step's and iteration's status, and each output of a probed step that some
  /// expression reads (all of them where the whole map is read). Messages, outputs nothing
  /// reads and the fields an action calls volatile (sizes, revisions, time left) are left out:
  /// they change between two probes of an unchanged system.
  func facts(referenced: [(step: String, output: String?)]) -> [Fact] {
    var facts: [Fact] = []
    func add(_ name: String, _ check: Check) {
      if let finding = check.finding { facts.append(Fact(name: name, value: .string(finding.status.rawValue))) }
    }
    for (index, check) in preconditions.enumerated() { add("preconditions[\(index)]", check) }
    for step in steps {
      for (index, check) in step.skipIf.enumerated() { add("\(step.id).skip_if[\(index)]", check) }
      for (index, check) in step.preconditions.enumerated() { add("\(step.id).preconditions[\(index)]", check) }
      for (index, check) in step.verify.enumerated() { add("\(step.id).verify[\(index)]", check) }
      if let probe = step.probe { facts.append(Fact(name: "steps.\(step.id).status", value: .string(probe.status.rawValue))) }
      for (position, iteration) in (step.loop?.iterations ?? []).enumerated() {
        let key = "\(step.id)[\(position)]"
        for (index, check) in iteration.skipIf.enumerated() { add("\(key).skip_if[\(index)]", check) }
        for (index, check) in iteration.preconditions.enumerated() { add("\(key).preconditions[\(index)]", check) }
        if let probe = iteration.probe { facts.append(Fact(name: "\(key).status", value: .string(probe.status.rawValue))) }
      }
    }
    let ran = Dictionary(steps.compactMap { step in step.probe.flatMap { $0.status == .succeeded ? (step.id, ($0.outputs, step.call.volatileFields)) : nil } }, uniquingKeysWith: { a, _ in a })
    for reference in referenced {
      guard let (outputs, volatile) = ran[reference.step] else { continue }
      let names = reference.output.map { [$0] } ?? outputs.keys.sorted()
      for name in names where !volatile.contains(name) {
        facts.append(Fact(name: "steps.\(reference.step).outputs.\(name)", value: Self.stable((outputs[name] ?? .null).json, without: volatile)))
      }
    }
    return facts
  }

  /// `value` without the members named in `volatile`, at any depth.
  static func stable(_ value: JSONValue, without volatile: Set<String>) -> JSONValue {
    switch value {
    case .object(let members): .object(members.filter { !volatile.contains($0.key) }.map { .init($0.key, stable($0.value, without: volatile)) })
    case .array(let items): .array(items.map { stable($0, without: volatile) })
    default: value
    }
  }
}
