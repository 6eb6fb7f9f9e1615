import RunbookKit

/// Promotes a learner to a voter; a member that already votes is not an error. A learner that
/// has not caught up is refused by etcd: retry the step.
public struct EtcdMemberPromoteAction: Action {
  public static let name = "etcd.member-promote"
  public static let summary = "Promote an etcd learner to a voting member"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs + [InputSpec("member", .string, required: true, "Name or hex id of the learner")]
  public static let outputs = [
    OutputSpec("id", "string", "The member's hex id"),
    OutputSpec("changed", "bool", "False when it was already a voter"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let member = input.text("member") ?? ""
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("promote \(member)") }
    return ActionPreview("promote learner \(member)", commands: [etcdctl.commandLine(["member", "promote", "(hex id of \(member))"])])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    let reference = input.text("member") ?? ""
    guard let member = try await EtcdMembers.read(etcdctl, in: context).find(reference) else {
      throw ActionError(.failed, "no member '\(reference)' to promote")
    }
    guard member.isLearner else { return ActionResult(["id": .string(member.id), "changed": .bool(false)]) }
    try await etcdctl.succeed(["member", "promote", member.id], in: context)
    return ActionResult(["id": .string(member.id), "changed": .bool(true)])
  }
}
