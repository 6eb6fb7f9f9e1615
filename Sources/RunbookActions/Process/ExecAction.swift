import RunbookKit

/// Runs a program with an argv list, never through a shell.
public struct ExecAction: Action {
  public static let name = "exec"
  public static let summary = "Run a program with arguments, without a shell"
  public static let effect = Effect.mutating
  public static let idempotent = false
  public static let inputs = [InputSpec("argv", .list, required: true, isPublic: true, "The program and its arguments")] + ProcessInputs.common
  public static let outputs = ProcessInputs.outputs

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let command = ShellQuoting.commandLine(input["argv"])
    let line = ProcessInputs.cwdPrefix(input["cwd"]) + ProcessInputs.envPrefix(input["env"]) + command
    return ActionPreview("run \(command)", commands: [line])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard case .list(let argv)? = input["argv"] else { throw ActionError(.invalidInput, "exec needs argv, a list") }
    return try await ProcessInputs.run(argv.map(\.plainText), input, in: context)
  }
}
