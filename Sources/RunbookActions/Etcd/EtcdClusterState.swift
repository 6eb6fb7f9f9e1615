import Foundation
import RunbookKit

/// What `member list`, `endpoint status`, `endpoint health` and `alarm list` say together,
/// with the derived facts runbooks guard on: quorum, fault tolerance, leader, followers.
struct EtcdClusterState {
  struct Member {
    var id: String
    var name: String
    var peerURLs: [String]
    var clientURLs: [String]
    var isLearner: Bool
    /// A member added but not started has no name and no client URLs.
    var started: Bool { !name.isEmpty }
  }

  struct Endpoint {
    var endpoint: String
    var healthy: Bool
    /// Whether it answered the status request; one that did not has no role, size or revision.
    var answered: Bool
    var error: String
    var memberID: String?
    var leaderID: String?
    var version: String
    var dbSize: Int64
    var dbSizeInUse: Int64
    var revision: Int64
    var raftAppliedIndex: Int64
    var raftTerm: Int64
    var isLearner: Bool
  }

  var members: [Member]
  var endpoints: [Endpoint]
  var alarms: [(member: String, alarm: String)]

  /// Reads the four JSON documents; `status` and `health` may lack failed endpoints, and
  /// `unreachable` says why an endpoint that was not asked did not answer.
  init(
    members memberList: JSONValue, status: JSONValue?, health: JSONValue?, alarms alarmList: JSONValue?, endpoints asked: [String],
    unreachable: [String: String] = [:]
  ) throws {
    guard case .array(let memberItems)? = memberList["members"] else {
      throw ActionError(.failed, "etcdctl member list gave no members")
    }
    members = try memberItems.map { item in
      guard let id = EtcdJSON.hexID(item["ID"]) else { throw ActionError(.failed, "a member has no ID") }
      return Member(
        id: id, name: item["name"]?.stringValue ?? "", peerURLs: Self.strings(item["peerURLs"]),
        clientURLs: Self.strings(item["clientURLs"]), isLearner: item["isLearner"] == .bool(true))
    }
    var statuses: [String: JSONValue] = [:]
    if case .array(let items)? = status {
      for item in items { if let endpoint = item["Endpoint"]?.stringValue, let value = item["Status"] { statuses[endpoint] = value } }
    }
    var healths: [String: (Bool, String)] = [:]
    if case .array(let items)? = health {
      for item in items {
        if let endpoint = item["endpoint"]?.stringValue { healths[endpoint] = (item["health"] == .bool(true), item["error"]?.stringValue ?? "") }
      }
    }
    let listed = members
    /// The member that advertises `endpoint`, for an endpoint that gave no status.
    func owner(of endpoint: String) -> String? { listed.first { $0.clientURLs.contains(endpoint) }?.id }
    endpoints = asked.map { endpoint in
      let status = statuses[endpoint]
      let (healthy, error) = healths[endpoint] ?? (false, unreachable[endpoint] ?? (status == nil ? "no status" : "no health answer"))
      return Endpoint(
        endpoint: endpoint, healthy: healthy && status != nil, answered: status != nil, error: status == nil && error.isEmpty ? "unreachable" : error,
        memberID: EtcdJSON.hexID(status?["header"]?["member_id"]) ?? owner(of: endpoint),
        leaderID: EtcdJSON.hexID(status?["leader"]),
        version: status?["version"]?.stringValue ?? "", dbSize: Self.int(status?["dbSize"]),
        dbSizeInUse: Self.int(status?["dbSizeInUse"]), revision: Self.int(status?["header"]?["revision"]),
        raftAppliedIndex: Self.int(status?["raftAppliedIndex"]), raftTerm: Self.int(status?["raftTerm"]),
        isLearner: status?["isLearner"] == .bool(true))
    }
    alarms = []
    if case .array(let items)? = alarmList?["alarms"] {
      alarms = items.map { (EtcdJSON.hexID($0["memberID"]) ?? "", $0["alarm"]?.stringValue ?? "") }
    }
  }

  var voters: [Member] { members.filter { !$0.isLearner } }

  /// The one leader every reachable member names, or why there is none.
  func leader() throws -> Member {
    let named = Set(endpoints.compactMap(\.leaderID))
    guard !named.isEmpty else { throw ActionError(.failed, "no leader: no reachable member reports one") }
    guard named.count == 1, let id = named.first else {
      throw ActionError(.failed, "members disagree on the leader: \(named.sorted().joined(separator: ", "))")
    }
    guard let member = members.first(where: { $0.id == id }) else {
      throw ActionError(.failed, "the leader \(id) is not in the member list")
    }
    return member
  }

  /// Where to reach a member: an asked endpoint that answered for it, else its first client URL.
  func endpoint(of member: Member) -> String {
    endpoints.first { $0.memberID == member.id }?.endpoint ?? member.clientURLs.first ?? ""
  }

  func outputs() throws -> [String: Value] {
    let leader = try leader()
    let unhealthy = endpoints.filter { !$0.healthy }
    let memberValue = { (member: Member) -> Value in
      .map([
        "id": .string(member.id), "name": .string(member.name), "peer_urls": .list(member.peerURLs.map { .string($0) }),
        "client_urls": .list(member.clientURLs.map { .string($0) }), "learner": .bool(member.isLearner),
        "started": .bool(member.started), "endpoint": .string(endpoint(of: member)),
      ])
    }
    let leaderEndpoint = endpoints.first { $0.memberID == leader.id }
    let answering = Set(endpoints.filter(\.healthy).compactMap(\.memberID))
    let started = members.filter(\.started)
    return [
      "member_names": .list(started.map { .string($0.name) }),
      "unhealthy_members": .list(started.filter { !answering.contains($0.id) }.map { .string($0.name) }),
      "healthy_voters": .int(Int64(voters.filter { answering.contains($0.id) }.count)),
      "members": .list(members.map(memberValue)),
      "voters": .int(Int64(voters.count)),
      "learners": .int(Int64(members.count - voters.count)),
      "leader": memberValue(leader),
      "followers": .list(voters.filter { $0.id != leader.id }.map(memberValue)),
      "healthy_followers": .list(voters.filter { $0.id != leader.id && answering.contains($0.id) }.map(memberValue)),
      "endpoints": .list(endpoints.map { endpoint in
        .map([
          "endpoint": .string(endpoint.endpoint), "healthy": .bool(endpoint.healthy), "error": .string(endpoint.error),
          "id": .string(endpoint.memberID ?? ""), "is_leader": .bool(endpoint.memberID == leader.id),
          "is_learner": .bool(endpoint.isLearner), "version": .string(endpoint.version), "db_size": .int(endpoint.dbSize),
          "db_size_in_use": .int(endpoint.dbSizeInUse), "revision": .int(endpoint.revision),
          "raft_applied_index": .int(endpoint.raftAppliedIndex), "raft_term": .int(endpoint.raftTerm),
        ])
      }),
      "healthy": .int(Int64(endpoints.count - unhealthy.count)),
      "unhealthy": .int(Int64(unhealthy.count)),
      "unhealthy_endpoints": .list(unhealthy.map { .string($0.endpoint) }),
      "quorum": .int(Int64(voters.count / 2 + 1)),
      "fault_tolerance": .int(Int64((voters.count - 1) / 2)),
      "single_member": .bool(members.count == 1),
      "version": .string(leaderEndpoint?.version ?? endpoints.first { !$0.version.isEmpty }?.version ?? ""),
      "alarms": .list(alarms.map { .map(["member": .string($0.member), "alarm": .string($0.alarm)]) }),
    ]
  }

  private static func strings(_ value: JSONValue?) -> [String] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap(\.stringValue)
  }

  private static func int(_ value: JSONValue?) -> Int64 {
    switch value {
    case .int(let number)?: return number
    case .string(let text)?: return Int64(text) ?? 0
    default: return 0
    }
  }

  /// The human-readable report the action prints: one row per member, then the margins.
  func report() -> [String] {
    let leaderID = try? leader().id
    var rows = [["MEMBER", "ID", "ENDPOINT", "HEALTH", "ROLE", "DB SIZE", "IN USE", "REVISION", "APPLIED"]]
    for member in members {
      let endpoint = endpoints.first { $0.memberID == member.id }
      let answer = endpoint.flatMap { $0.answered ? $0 : nil }
      // A member that does not answer has no role: the others may still name it leader.
      let role = answer == nil ? "-" : member.id == leaderID ? "leader" : member.isLearner ? "learner" : "follower"
      let health = endpoint.map { $0.healthy ? "healthy" : "UNHEALTHY" } ?? (member.started ? "not asked" : "not started")
      rows.append([
        member.name.isEmpty ? "(unstarted)" : member.name, member.id, self.endpoint(of: member), health, role,
        answer.map { Self.size($0.dbSize) } ?? "-", answer.map { Self.size($0.dbSizeInUse) } ?? "-",
        answer.map { String($0.revision) } ?? "-", answer.map { String($0.raftAppliedIndex) } ?? "-",
      ])
    }
    for endpoint in endpoints where endpoint.memberID == nil {
      rows.append(["?", "-", endpoint.endpoint, "UNHEALTHY: \(endpoint.error)", "-", "-", "-", "-", "-"])
    }
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines = rows.map { row in
      row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        .trimmingCharacters(in: .whitespaces)
    }
    let unhealthy = endpoints.filter { !$0.healthy }.count
    lines.append(
      "\(voters.count) voters, \(members.count - voters.count) learners; quorum \(voters.count / 2 + 1), tolerates \((voters.count - 1) / 2) failure(s); "
        + "\(unhealthy) unhealthy; alarms: \(alarms.isEmpty ? "none" : alarms.map { "\($0.alarm) on \($0.member)" }.joined(separator: ", "))")
    return lines
  }

  private static func size(_ bytes: Int64) -> String {
    bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : String(format: "%.0f KiB", Double(bytes) / 1024)
  }
}
