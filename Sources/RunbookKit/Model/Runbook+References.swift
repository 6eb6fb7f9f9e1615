extension Runbook {
  /// Every template written in the runbook: the lock, run-level preconditions, and each step's
  /// fields, checks and undo.
  var templates: [Template] {
    var all = (lock.map { [$0] } ?? []) + preconditions.flatMap(\.templates)
    for step in steps {
      all += [step.title, step.forEach, step.when, step.approval].compactMap { $0 } + step.call.templates
      all += (step.preconditions + step.skipIf + step.verify).flatMap(\.templates) + (step.undo?.templates ?? [])
    }
    return all
  }

  /// The step outputs some expression reads, each once, in the order first written; the
  /// output nil where the whole map is read.
  var stepOutputReferences: [(step: String, output: String?)] {
    var seen: Set<String> = []
    return templates.flatMap(\.expressions).flatMap(\.stepOutputReferences).filter { seen.insert("\($0.step).\($0.output ?? "*")").inserted }
  }
}

extension ActionCall {
  /// The templates under `with:`.
  var templates: [Template] { with.flatMap(\.value.templates) }
}

extension CheckSpec {
  /// The templates of its inputs, `expect`, `message` and `unless`.
  var templates: [Template] { call.templates + [expect, message, unless].compactMap { $0 } }
}
