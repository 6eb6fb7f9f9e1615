import RunbookKit

/// The member list, read fresh, and lookups by name or hex id shared by the member actions.
struct EtcdMembers {
  var members: [EtcdClusterState.Member]

  static func read(_ etcdctl: Etcdctl, in context: ActionContext) async throws -> EtcdMembers {
    let json = try await etcdctl.require(["member", "list"], in: context)
    let state = try EtcdClusterState(members: json, status: nil, health: nil, alarms: nil, endpoints: [])
    return EtcdMembers(members: state.members)
  }

  /// The member named `reference`, or whose hex id it is.
  func find(_ reference: String) -> EtcdClusterState.Member? {
    let lowered = reference.lowercased()
    return members.first { $0.name == reference } ?? members.first { $0.id == lowered }
  }

  /// `name=peerURL,...` for a new member's `--initial-cluster`, started members and the new one.
  func initialCluster(adding name: String, peerURL: String) -> String {
    let others = members.filter { $0.started && !$0.peerURLs.contains(peerURL) }.flatMap { member in
      member.peerURLs.map { "\(member.name)=\($0)" }
    }
    return (others + ["\(name)=\(peerURL)"]).joined(separator: ",")
  }
}

/// The current leader's endpoint, from every given endpoint's status.
enum EtcdLeader {
  static func find(_ etcdctl: Etcdctl, in context: ActionContext) async throws -> (member: EtcdClusterState.Member, endpoint: String, state: EtcdClusterState) {
    let members = try await etcdctl.require(["member", "list"], in: context)
    let status = try await etcdctl.run(["endpoint", "status"], in: context)
    let state = try EtcdClusterState(members: members, status: status.json, health: nil, alarms: nil, endpoints: etcdctl.endpoints)
    let leader = try state.leader()
    return (leader, state.endpoint(of: leader), state)
  }
}
