import RunbookKit

/// Does nothing; a named point in the graph, or a message in the journal.
public struct NoopAction: Action {
  public static let name = CheckSpec.expressionOnlyAction
  public static let summary = "Do nothing; a join point or a message"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let inputs = [InputSpec("message", .string, "Shown in the plan and the journal")]
  public static let outputs = [OutputSpec("message", "string", "The message, as given")]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview(input.text("message").map { "nothing to do: \($0)" } ?? "nothing to do")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    if let message = input.text("message") { context.output(OutputLine(.stdout, message)) }
    return ActionResult(["message": input["message"] ?? .null])
  }
}
