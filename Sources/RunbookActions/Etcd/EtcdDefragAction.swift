import RunbookKit

/// Defragments one member, with a command timeout of minutes: etcdctl's default 5 s gives up on
/// a large database while the server keeps going.
public struct EtcdDefragAction: Action {
  public static let name = "etcd.defrag"
  public static let summary = "Defragment one etcd member"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [InputSpec("endpoint", .string, required: true, "The member's client URL")]
    + Etcdctl.connectionInputs.filter { !["endpoints", "command_timeout"].contains($0.name) }
    + [InputSpec("command_timeout", .duration, default: .string("5m"), "etcdctl --command-timeout for the defrag")]
  public static let outputs = [
    OutputSpec("endpoint", "string", "The member defragmented"),
    OutputSpec("db_size_before", "int", "Database size before, bytes"),
    OutputSpec("db_size_after", "int", "Database size after, bytes"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let endpoint = input.text("endpoint") ?? ""
    guard let etcdctl = try? Etcdctl(input, endpoints: [endpoint]) else { return ActionPreview("defragment \(endpoint)") }
    return ActionPreview("defragment \(endpoint)", commands: [etcdctl.commandLine(["defrag"])])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let endpoint = input.text("endpoint") ?? ""
    let etcdctl = try Etcdctl(input, endpoints: [endpoint])
    // A member that is down would hold every command for the minutes-long timeout.
    if let failure = await etcdctl.unreachable()[endpoint] { throw ActionError(.failed, "\(endpoint) is \(failure)") }
    let before = try await EtcdStatus.dbSize(etcdctl, in: context)
    try await etcdctl.succeed(["defrag"], in: context)
    let after = try await EtcdStatus.dbSize(etcdctl, in: context)
    context.output(OutputLine(.stdout, "defragmented \(endpoint): \(before) → \(after) bytes"))
    return ActionResult(["endpoint": .string(endpoint), "db_size_before": .int(before), "db_size_after": .int(after)])
  }
}

/// One endpoint's status fields.
enum EtcdStatus {
  static func dbSize(_ etcdctl: Etcdctl, in context: ActionContext) async throws -> Int64 {
    let json = try await etcdctl.require(["endpoint", "status"], in: context)
    guard case .array(let items) = json, case .int(let size)? = items.first?["Status"]?["dbSize"] else { return 0 }
    return size
  }
}
