import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// etcd-snapshot then etcd-restore on a real member: the restored data serves the same keys.
final class EtcdSnapshotRestoreTests: XCTestCase {
  func testASnapshotRestoresIntoAFreshDirectoryOnlyAndServesTheKeys() throws {
    try EtcdCluster.requireInstalled()
    let scratch = try ScratchDirectory("restore")
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state", "RUNBOOK_PATH": Repository.path("runbooks")]
    let cluster = try EtcdCluster(size: 1)
    defer { cluster.stop() }
    try cluster.etcdctl(["put", "restored-key", "restored value"])

    let connection = ["endpoints=" + cluster.endpoints[0], "cacert=", "cert=", "key=", "backup_dir=" + scratch.path + "/backups", "backup_keep=2"]
    for run in 1...3 {
      let saved = try CommandLineTool.run(["apply", "etcd-snapshot", "--yes", "--run-id", "s\(run)"] + connection.flatMap { ["-p", $0] }, in: scratch.path, environment: environment)
      XCTAssertEqual(saved.status, 0, saved.stdout + saved.stderr)
      sleep(1)  // snapshots are dated to the second
    }
    let backups = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/backups").sorted()
    XCTAssertEqual(backups.count, 2, "the newest two are kept: \(backups)")
    XCTAssertTrue(backups.allSatisfy { $0.hasPrefix("etcd-snapshot-") && $0.hasSuffix(".db.gz") }, "\(backups)")

    try FileManager.default.createDirectory(atPath: scratch.path + "/busy", withIntermediateDirectories: true)
    try scratch.write("busy/member", "live data")
    let restoreParams = { (dataDir: String) -> [String] in
      [
        "snapshot=" + scratch.path + "/backups/" + backups.last!, "name=restored", "initial_cluster=restored=http://127.0.0.250:2380",
        "peer_url=http://127.0.0.250:2380", "data_dir=" + dataDir, "cluster_token=restored-token",
      ].flatMap { ["-p", $0] }
    }
    let refused = try CommandLineTool.run(["apply", "etcd-restore", "--yes", "--run-id", "busy"] + restoreParams(scratch.path + "/busy"), in: scratch.path, environment: environment)
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stdout.contains("refusing to restore into \(scratch.path)/busy: it is not empty"), refused.stdout)
    XCTAssertEqual(scratch.read("busy/member"), "live data")

    let restored = try CommandLineTool.run(["apply", "etcd-restore", "--yes", "--run-id", "r"] + restoreParams(scratch.path + "/fresh"), in: scratch.path, environment: environment)
    XCTAssertEqual(restored.status, 0, restored.stdout + restored.stderr)
    let port = try EtcdCluster.freePort(on: "127.0.0.250")
    let etcd = Process()
    etcd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    etcd.arguments = [
      "etcd", "--name", "restored", "--data-dir", scratch.path + "/fresh", "--listen-client-urls", "http://127.0.0.250:\(port)",
      "--advertise-client-urls", "http://127.0.0.250:\(port)", "--listen-peer-urls", "http://127.0.0.250:2380",
      "--initial-advertise-peer-urls", "http://127.0.0.250:2380", "--initial-cluster", "restored=http://127.0.0.250:2380",
    ]
    etcd.standardOutput = FileHandle.nullDevice
    etcd.standardError = FileHandle.nullDevice
    try etcd.run()
    defer { kill(etcd.processIdentifier, SIGKILL) }
    var value = ""
    for _ in 0..<100 where value.isEmpty {
      let get = Process()
      get.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      get.arguments = ["etcdctl", "--endpoints=http://127.0.0.250:\(port)", "get", "restored-key", "--print-value-only"]
      get.environment = ["ETCDCTL_API": "3", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
      let out = Pipe()
      get.standardOutput = out
      get.standardError = FileHandle.nullDevice
      try get.run()
      value = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      get.waitUntilExit()
      if value.isEmpty { usleep(100_000) }
    }
    XCTAssertEqual(value, "restored value")
  }

  /// `snapshot status` reports revision 0 once every key is deleted and compacted away; that
  /// snapshot is still good (found by `scripts/bench etcd`, which empties the keyspace).
  func testASnapshotOfAnEmptiedAndCompactedKeyspaceVerifies() throws {
    try EtcdCluster.requireInstalled()
    let scratch = try ScratchDirectory("snapshot-empty")
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state", "RUNBOOK_PATH": Repository.path("runbooks")]
    let cluster = try EtcdCluster(size: 1)
    defer { cluster.stop() }
    try cluster.etcdctl(["put", "doomed", "value"])
    try cluster.etcdctl(["del", "doomed"])
    let fields = try cluster.etcdctl(["get", "doomed", "-w", "fields"])
    let revision = try XCTUnwrap(fields.split(separator: "\n").first { $0.hasPrefix("\"Revision\"") }?.split(separator: " ").last)
    try cluster.etcdctl(["compact", String(revision)])

    let params = ["endpoints=" + cluster.endpoints[0], "cacert=", "cert=", "key=", "backup_dir=" + scratch.path + "/backups"]
    let saved = try CommandLineTool.run(["apply", "etcd-snapshot", "--yes"] + params.flatMap { ["-p", $0] }, in: scratch.path, environment: environment)
    XCTAssertEqual(saved.status, 0, saved.stdout + saved.stderr)
    XCTAssertTrue(saved.stdout.contains(": revision 0, "), saved.stdout)
  }
}
