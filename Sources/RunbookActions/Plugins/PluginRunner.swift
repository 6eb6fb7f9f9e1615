import Foundation
import RunbookKit

/// Runs `runbook-action-NAME run`: the request as JSON on stdin, `{"outputs": {...}}` on stdout,
/// stderr streamed as the step's log; a non-zero exit fails with stderr's tail.
struct PluginRunner: Sendable {
  var executable: String
  var name: String

  func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    var run: [JSONValue.Member] = [.init("id", .string(context.runID)), .init("step", .string(context.step))]
    if let iteration = context.iteration { run.append(.init("iteration", .int(Int64(iteration)))) }
    let request = JSONValue.object([
      .init("input", .object(input.values.keys.sorted().map { .init($0, input.values[$0]!.json) })), .init("run", .object(run)),
    ])
    let child = ChildProcess(
      argv: [executable, "run"], environment: context.environment, workingDirectory: nil, timeout: nil,
      standardInput: Array(request.serialized(pretty: false).utf8), streamsStandardOutput: false)
    let outcome = try await child.run(in: context)
    guard outcome.exitCode == 0 else {
      let detail = outcome.stderrTail.split(separator: "\n").last.map { ": \($0)" } ?? ""
      throw ActionError(.failed, "plugin \(name) exited with status \(outcome.exitCode)\(detail)")
    }
    guard let reply = JSONValue.parse(outcome.stdout), case .object = reply else {
      throw ActionError(.brokenPlugin, "plugin \(name) printed something that is not a JSON object on stdout: \(outcome.stdout.prefix(120))")
    }
    guard case .object(let members)? = reply["outputs"] ?? .object([]) else {
      throw ActionError(.brokenPlugin, "plugin \(name): 'outputs' must be an object")
    }
    return ActionResult(Dictionary(members.map { ($0.key, Value($0.value)) }, uniquingKeysWith: { a, _ in a }))
  }
}
