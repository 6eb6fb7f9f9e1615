import Foundation
import RunbookTestSupport
import XCTest

/// Issue 12 §6: every shipped runbook probes cleanly on real parts — each check can be read
/// (none "cannot be evaluated"), no probed read fails, and the exit status says whether an
/// apply would proceed now.
final class ShippedRunbookProbeTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("shipped-probe")
  }

  func probe(_ name: String, _ params: [String], expecting status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let result = try scratch.runbook(["plan", name, "--probe"] + params.flatMap { ["-p", $0] }, environment: ["RUNBOOK_PATH": Repository.path("runbooks")])
    XCTAssertEqual(result.status, status, "\(name): " + result.stdout + result.stderr, file: file, line: line)
    for broken in ["cannot be evaluated", "probed: failed"] {
      XCTAssertFalse(result.stdout.contains(broken), "\(name) probes \(broken):\n" + result.stdout, file: file, line: line)
    }
    return result.stdout
  }

  func testTheEtcdRunbooksProbeCleanly() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let connection = ["endpoints=" + cluster.endpoints.joined(separator: ","), "cacert=", "cert=", "key="]
    XCTAssertTrue(try probe("etcd-health", connection).contains("probed: read live"))
    XCTAssertTrue(try probe("etcd-snapshot", connection + ["backup_dir=" + scratch.path + "/backups"]).contains("probed: read live"))
    XCTAssertTrue(try probe("etcd-defrag", connection + ["backup_dir=" + scratch.path + "/backups", "fstrim_path="]).contains("probed: read live"))

    let snapshot = scratch.path + "/snap.db"
    _ = try cluster.etcdctl(["snapshot", "save", snapshot], members: ["m1"])
    let restore = try probe("etcd-restore", [
      "snapshot=" + snapshot, "name=m1", "initial_cluster=m1=http://127.0.0.1:2380", "peer_url=http://127.0.0.1:2380",
      "data_dir=" + scratch.path + "/restored", "cluster_token=new",
    ])
    XCTAssertFalse(restore.contains("BLOCKED NOW"), restore)

    cluster.kill("m3")
    let m3 = cluster.members.first { $0.name == "m3" }!
    let replace = try probe("etcd-member-replace", connection + [
      "member=m3", "new_peer_url=" + m3.peerURL, "data_dir=" + scratch.path + "/m3", "start_command=true", "backup_dir=" + scratch.path + "/backups",
    ])
    XCTAssertTrue(replace.contains("probed: read live"), replace)
    _ = try probe("etcd-defrag", connection + ["backup_dir=" + scratch.path + "/backups", "fstrim_path="], expecting: 3)
  }

  func testTheKubeadmRunbooksProbeCleanly() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["apiserver": .expired, "admin.conf": .expiring])
    try FileManager.default.createDirectory(atPath: scratch.path + "/backups", withIntermediateDirectories: true)
    let paths = ["pki_dir=" + tree.pkiDirectory, "kubeconfig_dir=" + tree.kubernetesDirectory]
    let check = try probe("kubeadm-certs-check", paths, expecting: 3)
    XCTAssertTrue(check.hasPrefix("BLOCKED NOW: apply would stop at a step:\n  ✗ step verdict: precondition failed: expired: [apiserver]; expiring within 30 days: [admin.conf]\n"), check)
    XCTAssertTrue(check.contains("probed: read live"), check)
    let node = paths + ["manifests_dir=" + tree.manifestsDirectory, "backup_dir=" + scratch.path + "/backups", "readyz_url=https://127.0.0.1:1/readyz"]
    XCTAssertTrue(try probe("kubeadm-certs-renew", node).contains("probed: read live"))
    XCTAssertTrue(try probe("kubeadm-cert-jumpstart", node).contains("probed: read live"))
  }
}
