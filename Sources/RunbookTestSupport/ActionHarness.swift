import Foundation
import RunbookKit

/// Runs one action in-process, outside any runbook, collecting what it prints: for testing an
/// action's contract directly. Checks it asks for fail; `expect` is not evaluated.
public enum ActionHarness {
  public struct Run: Sendable {
    public var outputs: [String: Value]
    public var lines: [String]
  }

  private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    func append(_ line: String) { lock.withLock { collected.append(line) } }
    var all: [String] { lock.withLock { collected } }
  }

  public static func run(_ action: any Action.Type, _ inputs: [String: Value]) async throws -> Run {
    var values = inputs
    for spec in action.inputs where values[spec.name] == nil {
      if let value = spec.defaultValue { values[spec.name] = value }
    }
    let lines = Lines()
    let context = ActionContext(
      runID: "harness", step: action.name, environment: ProcessInfo.processInfo.environment,
      output: { lines.append($0.text) }, interruption: Interruption(),
      runCheck: { name, _ in throw ActionError(.failed, "the harness runs no check (\(name))") },
      evaluateExpect: { _, _ in .null })
    let result = try await action.init().run(ResolvedInput(values), in: context)
    return Run(outputs: result.outputs, lines: lines.all)
  }
}
