import RunbookKit

/// Reads one endpoint: whether it is healthy, whether it leads, and its status.
public struct EtcdEndpointAction: Action {
  public static let name = "etcd.endpoint"
  public static let summary = "Read one etcd endpoint's health, leadership and status"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let volatileFields: Set<String> = EtcdJSON.volatileFields
  public static let inputs = [InputSpec("endpoint", .string, required: true, "The client URL")] + Etcdctl.connectionInputs.filter { $0.name != "endpoints" }
  public static let outputs = [
    OutputSpec("healthy", "bool", "Whether it answers health checks"),
    OutputSpec("error", "string", "Why not, when it does not"),
    OutputSpec("is_leader", "bool", "Whether it is the leader"),
    OutputSpec("is_learner", "bool", "Whether it is a learner"),
    OutputSpec("id", "string", "Its member id (hex)"),
    OutputSpec("version", "string", "etcd version"),
    OutputSpec("db_size", "int", "Database size in bytes"),
    OutputSpec("db_size_in_use", "int", "Bytes in use"),
    OutputSpec("revision", "int", "Current revision"),
    OutputSpec("raft_applied_index", "int", "Applied raft index"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let endpoint = input.text("endpoint") ?? ""
    guard let etcdctl = try? Etcdctl(input, endpoints: [endpoint]) else { return ActionPreview("read \(endpoint)") }
    return ActionPreview("read \(endpoint)", commands: [["endpoint", "health"], ["endpoint", "status"]].map { etcdctl.commandLine($0 + ["-w", "json"]) })
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let endpoint = input.text("endpoint") ?? ""
    let etcdctl = try Etcdctl(input, endpoints: [endpoint])
    // A member that does not accept a connection is not asked: etcdctl would wait its whole
    // command timeout on it.
    let unreachable = await etcdctl.unreachable()[endpoint]
    var health: Etcdctl.Output?
    var status: Etcdctl.Output?
    if unreachable == nil {
      async let healthRead = etcdctl.run(["endpoint", "health"], in: context)
      async let statusRead = etcdctl.run(["endpoint", "status"], in: context)
      (health, status) = (try await healthRead, try await statusRead)
    }
    var item: JSONValue?
    if case .array(let items)? = status?.json { item = items.first?["Status"] }
    var healthItem: JSONValue?
    if case .array(let items)? = health?.json { healthItem = items.first }
    let healthy = healthItem?["health"] == .bool(true) && item != nil
    let id = EtcdJSON.hexID(item?["header"]?["member_id"]) ?? ""
    let number = { (value: JSONValue?) -> Value in
      if case .int(let n)? = value { return .int(n) }
      return .int(0)
    }
    return ActionResult([
      "healthy": .bool(healthy),
      "error": .string(healthy ? "" : unreachable ?? healthItem?["error"]?.stringValue ?? (Etcdctl.reason((health?.stderrTail ?? "") + "\n" + (status?.stderrTail ?? "")).dropFirst(2).description)),
      "is_leader": .bool(!id.isEmpty && EtcdJSON.hexID(item?["leader"]) == id),
      "is_learner": .bool(item?["isLearner"] == .bool(true)),
      "id": .string(id), "version": .string(item?["version"]?.stringValue ?? ""),
      "db_size": number(item?["dbSize"]), "db_size_in_use": number(item?["dbSizeInUse"]),
      "revision": number(item?["header"]?["revision"]), "raft_applied_index": number(item?["raftAppliedIndex"]),
    ])
  }
}
