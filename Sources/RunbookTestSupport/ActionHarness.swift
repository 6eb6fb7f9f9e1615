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
    let lines = Lines()
    let context = ActionContext(
      runID: "harness", step: action.name, environment: ProcessInfo.processInfo.environment,
      output: { lines.append($0.text) }, interruption: Interruption(),
      runCheck: { name, _ in throw ActionError(.failed, "the harness runs no check (\(name))") },
      evaluateExpect: { _, _ in .null })
    // Resolved as a runbook's inputs are: defaults, types, durations.
    let resolved: ResolvedInput
    do {
      resolved = try action.descriptor.resolved(inputs)
    } catch let mismatch as ActionDescriptor.TypeMismatch {
      throw ActionError(.invalidInput, mismatch.message(action: action.name))
    }
    let result = try await action.init().run(resolved, in: context)
    return Run(outputs: result.outputs, lines: lines.all)
  }
}
