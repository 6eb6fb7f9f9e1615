import Foundation
import RunbookKit

/// Saves a snapshot from one member and verifies it with `snapshot status`: it must read, hold
/// keys, and hold a revision above 0 unless the member has no live key (a keyspace emptied and
/// compacted gives a valid snapshot at revision 0).
public struct EtcdSnapshotSaveAction: Action {
  public static let name = "etcd.snapshot-save"
  public static let summary = "Save an etcd snapshot from one member, and verify it"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("endpoint", .string, required: true, "One member's client URL (snapshot save takes exactly one)"),
    InputSpec("path", .path, required: true, "The snapshot file to write"),
  ] + Etcdctl.connectionInputs.filter { !["endpoints", "command_timeout"].contains($0.name) }
    + [InputSpec("command_timeout", .duration, default: .string("5m"), "etcdctl --command-timeout")]
  public static let outputs = [
    OutputSpec("path", "string", "The snapshot file"),
    OutputSpec("revision", "int", "The revision it holds"),
    OutputSpec("keys", "int", "How many keys it holds"),
    OutputSpec("size", "int", "Its size in bytes"),
    OutputSpec("sha256", "string", "Its sha256"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let endpoint = input.text("endpoint") ?? ""
    let path = input.text("path") ?? ""
    guard let etcdctl = try? Etcdctl(input, endpoints: [endpoint]) else { return ActionPreview("save a snapshot to \(path)") }
    return ActionPreview(
      "save a snapshot of \(endpoint) to \(path), then verify it",
      commands: [etcdctl.commandLine(["snapshot", "save", path]), "etcdctl snapshot status \(ShellQuoting.quote(path)) -w json"])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let endpoint = input.text("endpoint") ?? ""
    let path = try FileInputs.path(input, "path")
    let etcdctl = try Etcdctl(input, endpoints: [endpoint])
    try FileInputs.perform("create the directory of \(path)") {
      try FileManager.default.createDirectory(atPath: AtomicFile.directoryOf(path), withIntermediateDirectories: true)
    }
    let liveKeys = try await liveKeyCount(etcdctl, in: context)
    let save = try await etcdctl.run(["snapshot", "save", path], in: context)
    guard save.exitCode == 0 else {
      throw ActionError(.failed, "etcdctl snapshot save failed (exit \(save.exitCode))\(Etcdctl.reason(save.stderrTail))")
    }
    let status = try await etcdctl.require(["snapshot", "status", path], in: context)
    var revision: Int64 = 0
    if case .int(let value)? = status["revision"] { revision = value }
    var keys: Int64 = 0
    if case .int(let count)? = status["totalKey"] { keys = count }
    guard keys > 0, revision > 0 || liveKeys == 0 else {
      throw ActionError(.failed, "the snapshot \(path) does not verify: snapshot status gives revision \(revision) and \(keys) keys, the member holds \(liveKeys) live keys")
    }
    chmod(path, 0o600)
    let digest = try FileInputs.sha256(ofFile: path)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 } ?? 0
    context.output(OutputLine(.stdout, "snapshot \(path): revision \(revision), \(keys) keys, \(size) bytes, sha256 \(digest.prefix(12))…"))
    return ActionResult(["path": .string(path), "revision": .int(revision), "keys": .int(keys), "size": .int(Int64(size)), "sha256": .string(digest)])
  }

  /// How many keys the member holds now (`count` is the whole range's, whatever the limit);
  /// etcd leaves it out of its JSON when it is 0.
  private func liveKeyCount(_ etcdctl: Etcdctl, in context: ActionContext) async throws -> Int64 {
    let json = try await etcdctl.require(["get", "", "--prefix", "--keys-only", "--limit=1"], in: context)
    guard case .int(let count)? = json["count"] else { return 0 }
    return count
  }
}
