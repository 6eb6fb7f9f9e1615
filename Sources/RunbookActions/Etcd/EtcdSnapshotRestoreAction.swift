import Foundation
import RunbookKit

/// Restores a snapshot into a new data directory for one member; refuses a directory that is not
/// empty, so a live member's data is never overwritten.
public struct EtcdSnapshotRestoreAction: Action {
  public static let name = "etcd.snapshot-restore"
  public static let summary = "Restore an etcd snapshot into a new, empty data directory"
  public static let effect = Effect.mutating
  public static let idempotent = false
  public static let inputs = [
    InputSpec("snapshot", .path, required: true, "The snapshot file"),
    InputSpec("name", .string, required: true, "The member's name"),
    InputSpec("initial_cluster", .string, required: true, "name=peerURL,... of the restored cluster"),
    InputSpec("peer_url", .string, required: true, "This member's peer URL"),
    InputSpec("data_dir", .path, required: true, "The new data directory (must not exist or be empty)"),
    InputSpec("cluster_token", .string, required: true, "A new initial cluster token"),
  ]
  public static let outputs = [OutputSpec("data_dir", "string", "The restored data directory")]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview("restore \(input.text("snapshot") ?? "") into \(input.text("data_dir") ?? "")", commands: [Self.arguments(input).map(ShellQuoting.quote).joined(separator: " ")])
  }

  static func arguments(_ input: ResolvedInput) -> [String] {
    [
      "etcdctl", "snapshot", "restore", input.text("snapshot") ?? "", "--name=" + (input.text("name") ?? ""),
      "--initial-cluster=" + (input.text("initial_cluster") ?? ""), "--initial-advertise-peer-urls=" + (input.text("peer_url") ?? ""),
      "--initial-cluster-token=" + (input.text("cluster_token") ?? ""), "--data-dir=" + (input.text("data_dir") ?? ""),
    ]
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let dataDir = try FileInputs.path(input, "data_dir")
    if let entries = try? FileManager.default.contentsOfDirectory(atPath: dataDir), !entries.isEmpty {
      throw ActionError(.failed, "refusing to restore into \(dataDir): it is not empty")
    }
    try? FileManager.default.removeItem(atPath: dataDir)
    var environment = context.environment.filter { !$0.key.hasPrefix("ETCDCTL_") }
    environment["ETCDCTL_API"] = "3"
    let child = ChildProcess(argv: Self.arguments(input), environment: environment, workingDirectory: nil, timeout: nil)
    let outcome = try await child.run(in: context)
    guard outcome.exitCode == 0 else {
      throw ActionError(.failed, "etcdctl snapshot restore failed (exit \(outcome.exitCode))\(Etcdctl.reason(outcome.stderrTail))")
    }
    return ActionResult(["data_dir": .string(dataDir)])
  }
}
