import RunbookKit

/// Hands leadership to another voter, asking the current leader (the only member that can).
public struct EtcdMoveLeaderAction: Action {
  public static let name = "etcd.move-leader"
  public static let summary = "Move etcd leadership to another voting member"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs + [InputSpec("to", .string, required: true, "The new leader: member name or hex id")]
  public static let outputs = [
    OutputSpec("from", "string", "The previous leader's hex id"),
    OutputSpec("to", "string", "The new leader's hex id"),
    OutputSpec("changed", "bool", "False when it already led"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("move leadership") }
    let target = input.text("to") ?? ""
    let leaderCommand = (try? Etcdctl(input, endpoints: ["(the current leader)"]))?.commandLine(["move-leader", "(hex id of \(target))"]) ?? ""
    return ActionPreview("move leadership to \(target)", commands: [etcdctl.commandLine(["endpoint", "status", "-w", "json"]), leaderCommand])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    let reference = input.text("to") ?? ""
    let (leader, leaderEndpoint, state) = try await EtcdLeader.find(etcdctl, in: context)
    guard let target = EtcdMembers(members: state.members).find(reference) else {
      throw ActionError(.failed, "no member '\(reference)' to move leadership to")
    }
    guard !target.isLearner else { throw ActionError(.failed, "\(target.name) (\(target.id)) is a learner and cannot lead") }
    if target.id == leader.id {
      return ActionResult(["from": .string(leader.id), "to": .string(target.id), "changed": .bool(false)])
    }
    let atLeader = try Etcdctl(input, endpoints: [leaderEndpoint])
    try await atLeader.succeed(["move-leader", target.id], in: context)
    context.output(OutputLine(.stdout, "leadership moved from \(leader.name) (\(leader.id)) to \(target.name) (\(target.id))"))
    return ActionResult(["from": .string(leader.id), "to": .string(target.id), "changed": .bool(true)])
  }
}
