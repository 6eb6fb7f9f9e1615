import Foundation

extension Runbook {
  /// The lock a run holds: `lock:` evaluated when the run starts, with `params`, `env` and `run`
  /// in scope (docs/running.md, "Locks"), or the runbook's name when it declares none. A lock that cannot be
  /// evaluated, or is empty, is an error: never a silent fallback to another name.
  public func lockName(params: ParamValues, environment: [String: String], runID: String, started: Date) throws(EvaluationError) -> String {
    guard let lock else { return name.value }
    let context = RunScope(runbook: self, params: params, secrets: .hidden)
      .bindingEnvironment(environment).bindingRun(id: runID, started: started).context
    for (expression, source) in zip(lock.expressions, lock.parts.compactMap { if case .expression(_, let source) = $0 { source } else { nil } }) {
      if try Evaluator.evaluate(expression, in: context) == .null {
        throw EvaluationError("lock: ${{ \(source) }} is not set, so '\(lock.raw)' names no lock", at: expression.span)
      }
    }
    let value = try Evaluator.evaluate(lock, in: context)
    guard !value.containsUnknown else {
      throw EvaluationError("lock: '\(lock.raw)' reads a secret, which is never written into a lock name", at: .init(start: 0, length: 1))
    }
    let text = value.plainText
    guard !text.isEmpty, value != .null else {
      throw EvaluationError("lock: '\(lock.raw)' evaluates to an empty name", at: .init(start: 0, length: 1))
    }
    return text
  }
}
