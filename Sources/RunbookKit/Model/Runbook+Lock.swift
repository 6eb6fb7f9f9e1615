import Foundation

extension Runbook {
  /// The lock a run holds: `lock:` evaluated when the run starts, with `params`, `env` and `run`
  /// in scope (docs/running.md, "Locks"), or the runbook's name when it declares none. A lock that cannot be
  /// evaluated, or is empty, is an error: never a silent fallback to another name.
  public func lockName(params: ParamValues, environment: [String: String], runID: String, started: Date) throws(EvaluationError) -> String {
    guard let lock else { return name.value }
    var values: [String: Value] = [:]
    for spec in self.params { values[spec.name] = spec.secret ? .unknown(.init(atRunTime: true, preview: "(secret)")) : params[spec.name] ?? .null }
    let context = EvaluationContext(variables: [
      "params": .map(values), "env": .map(environment.mapValues { .string($0) }),
      "run": .map(["id": .string(runID), "started": .string(RunEvent.timestamp(started))]),
    ])
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
