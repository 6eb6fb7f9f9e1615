import RunbookKit

/// Removes a member by name or hex id; a member already gone is not an error.
public struct EtcdMemberRemoveAction: Action {
  public static let name = "etcd.member-remove"
  public static let summary = "Remove an etcd member (by name or hex id)"
  public static let effect = Effect.destructive
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs + [InputSpec("member", .string, required: true, "Name or hex id of the member")]
  public static let outputs = [
    OutputSpec("id", "string", "The removed member's hex id (empty when it was already gone)"),
    OutputSpec("changed", "bool", "False when it was already gone"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let member = input.text("member") ?? ""
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("remove member \(member)") }
    return ActionPreview("remove member \(member)", commands: [etcdctl.commandLine(["member", "remove", "(hex id of \(member))"])])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    let reference = input.text("member") ?? ""
    guard let member = try await EtcdMembers.read(etcdctl, in: context).find(reference) else {
      context.output(OutputLine(.stdout, "member \(reference) is not in the cluster; nothing to remove"))
      return ActionResult(["id": .string(""), "changed": .bool(false)])
    }
    try await etcdctl.succeed(["member", "remove", member.id], in: context)
    context.output(OutputLine(.stdout, "removed member \(member.name) (\(member.id))"))
    return ActionResult(["id": .string(member.id), "changed": .bool(true)])
  }
}
