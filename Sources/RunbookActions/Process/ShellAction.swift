import Foundation
import RunbookKit

/// Runs a script under `/bin/sh -e`. Every `${{ }}` value in the script reaches it through an
/// environment variable (`ShellScriptBinding`), so no value can become shell syntax.
public struct ShellAction: Action {
  public static let name = "shell"
  public static let summary = "Run a script under /bin/sh -e"
  public static let effect = Effect.mutating
  public static let idempotent = false
  public static let inputs = [InputSpec("run", .script, required: true, "The script")] + ProcessInputs.common
  public static let outputs = ProcessInputs.outputs

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let script = (input.text("run") ?? "").trimmingCharacters(in: .newlines)
    let bound = input.bindings.keys.sorted().map { "\($0)=\(ShellQuoting.word(input.bindings[$0]!))" }
    let prefix = ProcessInputs.cwdPrefix(input["cwd"]) + ProcessInputs.envPrefix(input["env"])
      + bound.map { $0 + " " }.joined()
    return ActionPreview("run a shell script", commands: [prefix + "/bin/sh -e -c " + (script.contains("\n") ? "'\n" + script + "\n'" : ShellQuoting.quote(script))])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    try await ProcessInputs.run(["/bin/sh", "-e", "-c", input.text("run") ?? ""], input, in: context)
  }
}
