import RunbookKit

/// Compacts the key history up to a revision (default: the current one); history before it is
/// gone for good.
public struct EtcdCompactAction: Action {
  public static let name = "etcd.compact"
  public static let summary = "Compact etcd's key history up to a revision"
  public static let effect = Effect.destructive
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs + [
    InputSpec("revision", .int, "Compact up to this revision (default: the current one)"),
    InputSpec("physical", .bool, default: .bool(true), "Wait until the compaction is physically applied"),
  ]
  public static let outputs = [OutputSpec("revision", "int", "The revision compacted to")]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let revision = input["revision"].map(\.plainText) ?? "(the current revision)"
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("compact to \(revision)") }
    return ActionPreview("compact history up to revision \(revision)", commands: [etcdctl.commandLine(["compact", revision] + (input["physical"] == .bool(false) ? [] : ["--physical"]))])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    var revision: Int64
    if case .int(let given)? = input["revision"] {
      revision = given
    } else {
      let (_, _, state) = try await EtcdLeader.find(etcdctl, in: context)
      revision = state.endpoints.map(\.revision).max() ?? 0
    }
    let output = try await etcdctl.run(["compact", String(revision)] + (input["physical"] == .bool(false) ? [] : ["--physical"]), in: context)
    if output.exitCode != 0 && !output.stderrTail.contains("has been compacted") {
      throw ActionError(.failed, "etcdctl compact failed (exit \(output.exitCode))\(Etcdctl.reason(output.stderrTail))")
    }
    return ActionResult(["revision": .int(revision)])
  }
}
