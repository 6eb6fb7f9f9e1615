import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// The shipped etcd-member-replace runbook: a member killed and its data lost is replaced, and
/// the cluster ends with three healthy voters that still hold every key.
final class EtcdMemberReplaceTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try EtcdCluster.requireInstalled()
    scratch = try ScratchDirectory("replace")
  }

  var environment: [String: String] {
    ["RUNBOOK_STATE_DIR": scratch.path + "/state", "RUNBOOK_PATH": Repository.path("runbooks")]
  }

  func arguments(_ cluster: EtcdCluster, runID: String) -> [String] {
    let pidFile = scratch.path + "/m3.pid"
    cluster.adopt(pidFile: pidFile)
    let failed = cluster.members[2]
    let params = [
      "endpoints=" + cluster.endpoints.joined(separator: ","), "cacert=", "cert=", "key=", "command_timeout=2s",
      "member=m3", "new_peer_url=" + failed.peerURL, "data_dir=" + failed.dataDirectory,
      "start_command=" + cluster.startCommand(for: "m3", pidFile: pidFile), "backup_dir=" + scratch.path + "/backups",
      "env_file=" + scratch.path + "/etcd.env",
    ]
    return ["apply", "etcd-member-replace", "--yes", "--run-id", runID] + params.flatMap { ["-p", $0] }
  }

  /// Three members with data, then m3 killed and its data directory gone.
  func brokenCluster() throws -> EtcdCluster {
    let cluster = try EtcdCluster(size: 3)
    for n in 0..<50 { try cluster.etcdctl(["put", "key/\(n)", "value \(n)"]) }
    cluster.kill("m3")
    try cluster.deleteData("m3")
    return cluster
  }

  func assertReplaced(_ cluster: EtcdCluster, file: StaticString = #filePath, line: UInt = #line) throws {
    try cluster.waitUntilHealthy(["m1", "m2", "m3"])
    let fromNewMember = try cluster.etcdctl(["get", "key/", "--prefix", "--keys-only"], members: ["m3"])
    XCTAssertEqual(fromNewMember.split(separator: "\n").count, 50, "every key is readable from the new member", file: file, line: line)
    let list = try cluster.etcdctl(["member", "list"])
    XCTAssertEqual(list.split(separator: "\n").count, 3, list, file: file, line: line)
    XCTAssertFalse(list.contains("unstarted"), list, file: file, line: line)
    XCTAssertTrue(scratch.read("etcd.env").contains("ETCD_INITIAL_CLUSTER_STATE=existing"), file: file, line: line)
  }

  func testAFailedMemberIsReplaced() throws {
    let cluster = try brokenCluster()
    defer { cluster.stop() }
    let result = try CommandLineTool.run(arguments(cluster, runID: "r"), in: scratch.path, environment: environment)
    XCTAssertEqual(result.status, 0, result.stdout.split(separator: "\n").filter { !$0.hasPrefix("  ") || $0.contains("start") }.joined(separator: "\n") + result.stderr)
    try assertReplaced(cluster)
    let snapshot = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").steps(ofRun: "r").first { $0.step == "snapshot" }
    XCTAssertEqual(snapshot?.status, .succeeded, "a verified snapshot came first")
  }

  func testReplacingThroughALearner() throws {
    let cluster = try brokenCluster()
    defer { cluster.stop() }
    let result = try CommandLineTool.run(arguments(cluster, runID: "l") + ["-p", "learner=true"], in: scratch.path, environment: environment)
    XCTAssertEqual(result.status, 0, result.stdout.split(separator: "\n").filter { $0.contains("✗") || $0.contains("■") || $0.contains("↻") }.joined(separator: "\n"))
    try assertReplaced(cluster)
    let steps = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").steps(ofRun: "l")
    XCTAssertEqual(steps.first { $0.step == "add" }?.outputs["learner"], .bool(true), "added as a learner")
    // An attempt that etcd applied but answered with an error shows as changed=false on the next: both are fine.
    XCTAssertEqual(steps.first { $0.step == "promote" }?.status, .succeeded, "then promoted")
  }

  func testTheEngineKilledAfterMemberRemoveResumesToTheEnd() throws {
    let cluster = try brokenCluster()
    defer { cluster.stop() }
    let journal = scratch.path + "/state/journal.sqlite"
    let oldID = try XCTUnwrap(cluster.etcdctl(["member", "list"], members: ["m1"]).split(separator: "\n").first { $0.contains(", m3, ") }?.prefix { $0 != "," })
    let engine = try CommandLineTool.start(arguments(cluster, runID: "k"), in: scratch.path, environment: environment)
    // Poll the journal gently: only once the engine made it, every 200 ms, reading.
    let deadline = Date().addingTimeInterval(120)
    var removed = false
    while Date() < deadline, !removed {
      usleep(200_000)
      guard FileManager.default.fileExists(atPath: journal), let store = try? SQLiteStateStore(path: journal) else { continue }
      removed = (try? store.steps(ofRun: "k"))?.contains { $0.step == "remove" && $0.status == .succeeded } ?? false
    }
    engine.signal(SIGKILL)
    let killed = try engine.finish()
    guard removed else {
      return XCTFail("member remove never finished within 120 s: \(killed.stdout.suffix(2000))")
    }
    // By the kill the engine may have added and started the new m3 already: the old member's id is what must be gone.
    XCTAssertFalse(try cluster.etcdctl(["member", "list"], members: ["m1"]).contains(String(oldID) + ","), "the old m3 (\(oldID)) was removed before the kill")

    var resumed = try CommandLineTool.run(["resume", "k"], in: scratch.path, environment: environment)
    if resumed.status == 3, let step = resumed.stdout.range(of: "in doubt: ").map({ String(resumed.stdout[$0.upperBound...].prefix { $0 != " " }) }) {
      // An operator's decision for a step caught mid-way: a start that did start etcd is done;
      // anything else runs again.
      let started = Int32(scratch.read("m3.pid").trimmingCharacters(in: .whitespacesAndNewlines)).map { kill($0, 0) == 0 } ?? false
      let decision = step == "start" && started ? "--mark-done" : "--retry"
      resumed = try CommandLineTool.run(["resume", "k", decision, step], in: scratch.path, environment: environment)
    }
    XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    try assertReplaced(cluster)
  }
}
