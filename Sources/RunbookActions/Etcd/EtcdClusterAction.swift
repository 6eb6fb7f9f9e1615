import RunbookKit

/// Reads a cluster's members, leader, per-endpoint health and status, and alarms: the check
/// every etcd runbook guards on.
public struct EtcdClusterAction: Action {
  public static let name = "etcd.cluster"
  public static let summary = "Read members, leader, health, status and alarms of an etcd cluster"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let volatileFields: Set<String> = EtcdJSON.volatileFields
  public static let inputs = Etcdctl.connectionInputs
  public static let outputs = [
    OutputSpec("members", "list", "Each member: id (hex), name, peer_urls, client_urls, learner, started, endpoint"),
    OutputSpec("member_names", "list", "Names of the started members"),
    OutputSpec("unhealthy_members", "list", "Started members no healthy endpoint answers for (ask every member to know)"),
    OutputSpec("healthy_voters", "int", "Voters a healthy endpoint answers for"),
    OutputSpec("voters", "int", "Members that are not learners"),
    OutputSpec("learners", "int", "Learner members"),
    OutputSpec("leader", "map", "The leader: id (hex), name, endpoint; exactly one, or the check fails"),
    OutputSpec("followers", "list", "Voters that are not the leader, each with its endpoint"),
    OutputSpec("healthy_followers", "list", "The followers a healthy endpoint answers for: where leadership can go"),
    OutputSpec("endpoints", "list", "Each endpoint: healthy, error, id, is_leader, is_learner, version, db_size, db_size_in_use, revision, raft_applied_index, raft_term"),
    OutputSpec("healthy", "int", "Healthy endpoints"),
    OutputSpec("unhealthy", "int", "Endpoints that are unhealthy or unreachable"),
    OutputSpec("unhealthy_endpoints", "list", "Their URLs"),
    OutputSpec("quorum", "int", "floor(voters / 2) + 1"),
    OutputSpec("fault_tolerance", "int", "floor((voters - 1) / 2)"),
    OutputSpec("single_member", "bool", "Whether the cluster has one member"),
    OutputSpec("version", "string", "The leader's etcd version"),
    OutputSpec("alarms", "list", "Active alarms: member (hex), alarm"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("read the etcd cluster") }
    return ActionPreview(
      "read members, leader, health and status of \(etcdctl.endpoints.joined(separator: ", "))",
      commands: [["member", "list"], ["endpoint", "status"], ["endpoint", "health"], ["alarm", "list"]].map { etcdctl.commandLine($0 + ["-w", "json"]) })
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    // A member that does not accept a connection is left out of the commands, which would
    // each wait their whole timeout on it; the four reads go at once.
    let unreachable = await etcdctl.unreachable()
    let live = etcdctl.reaching(etcdctl.endpoints.filter { unreachable[$0] == nil })
    guard !live.endpoints.isEmpty else {
      throw ActionError(.failed, "no endpoint accepts a connection: " + etcdctl.endpoints.map { "\($0) \(unreachable[$0] ?? "")" }.joined(separator: "; "))
    }
    async let members = live.require(["member", "list"], in: context)
    async let status = live.run(["endpoint", "status"], in: context)
    async let health = live.run(["endpoint", "health"], in: context)
    async let alarms = live.run(["alarm", "list"], in: context)
    let state = try EtcdClusterState(
      members: try await members, status: try await status.json, health: try await health.json, alarms: try await alarms.json,
      endpoints: etcdctl.endpoints, unreachable: unreachable)
    for line in state.report() { context.output(OutputLine(.stdout, line)) }
    return ActionResult(try state.outputs())
  }
}
