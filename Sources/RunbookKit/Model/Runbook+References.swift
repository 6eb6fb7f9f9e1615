extension Runbook {
  /// Every template written in the runbook: the lock, run-level preconditions, and each step's
  /// fields, checks and undo.
  var templates: [Template] {
    func ofCall(_ call: ActionCall) -> [Template] { call.with.flatMap(\.value.templates) }
    func ofCheck(_ check: CheckSpec) -> [Template] { ofCall(check.call) + [check.expect, check.message, check.unless].compactMap { $0 } }
    var all = (lock.map { [$0] } ?? []) + preconditions.flatMap(ofCheck)
    for step in steps {
      all += [step.title, step.forEach, step.when, step.approval].compactMap { $0 } + ofCall(step.call)
      all += (step.preconditions + step.skipIf + step.verify).flatMap(ofCheck) + (step.undo.map(ofCall) ?? [])
    }
    return all
  }

  /// The step outputs some expression reads, each once, in the order first written.
  var stepOutputReferences: [(step: String, output: String)] {
    var seen: Set<String> = []
    return templates.flatMap(\.expressions).flatMap(\.stepOutputReferences).filter { seen.insert("\($0.step).\($0.output)").inserted }
  }
}
