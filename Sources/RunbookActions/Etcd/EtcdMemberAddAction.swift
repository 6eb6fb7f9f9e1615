import RunbookKit

/// Adds a member (optionally as a learner) and gives the settings its first start needs; a member
/// with the same peer URL already added is returned as it is.
public struct EtcdMemberAddAction: Action {
  public static let name = "etcd.member-add"
  public static let summary = "Add an etcd member, and give its initial-cluster settings"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs + [
    InputSpec("name", .string, required: true, "The new member's name"),
    InputSpec("peer_url", .string, required: true, "Its peer URL"),
    InputSpec("learner", .bool, default: .bool(false), "Add it as a learner (promote it once it caught up)"),
  ]
  public static let outputs = [
    OutputSpec("id", "string", "The new member's hex id"),
    OutputSpec("initial_cluster", "string", "ETCD_INITIAL_CLUSTER for its first start"),
    OutputSpec("initial_cluster_state", "string", "ETCD_INITIAL_CLUSTER_STATE: existing"),
    OutputSpec("learner", "bool", "Whether it is a learner now"),
    OutputSpec("changed", "bool", "False when it had been added already"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let name = input.text("name") ?? ""
    let peer = input.text("peer_url") ?? ""
    var arguments = ["member", "add", name, "--peer-urls=" + peer]
    if input["learner"] == .bool(true) { arguments.append("--learner") }
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("add member \(name)") }
    return ActionPreview("add member \(name) at \(peer)\(input["learner"] == .bool(true) ? " as a learner" : "")", commands: [etcdctl.commandLine(arguments)])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    let name = input.text("name") ?? ""
    let peer = input.text("peer_url") ?? ""
    let before = try await EtcdMembers.read(etcdctl, in: context)
    if let existing = before.members.first(where: { $0.peerURLs.contains(peer) }) {
      context.output(OutputLine(.stdout, "a member with peer URL \(peer) is already added (\(existing.id))"))
      return result(id: existing.id, initialCluster: before.initialCluster(adding: name, peerURL: peer), learner: existing.isLearner, changed: false)
    }
    var arguments = ["member", "add", name, "--peer-urls=" + peer]
    if input["learner"] == .bool(true) { arguments.append("--learner") }
    let json = try await etcdctl.require(arguments, in: context)
    guard let id = EtcdJSON.hexID(json["member"]?["ID"]) else { throw ActionError(.failed, "member add gave no member id") }
    context.output(OutputLine(.stdout, "added member \(name) (\(id)) at \(peer)"))
    return result(id: id, initialCluster: before.initialCluster(adding: name, peerURL: peer), learner: input["learner"] == .bool(true), changed: true)
  }

  private func result(id: String, initialCluster: String, learner: Bool, changed: Bool) -> ActionResult {
    ActionResult([
      "id": .string(id), "initial_cluster": .string(initialCluster), "initial_cluster_state": .string("existing"),
      "learner": .bool(learner), "changed": .bool(changed),
    ])
  }
}
