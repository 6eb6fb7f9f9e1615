import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// Issue 12 §2, §3, §5 on real parts: a probed `etcd-defrag` plan on a real cluster names the
/// leader and the followers in order and defragments nothing; a sealed probed plan is refused
/// once the leader moved; a dead member costs one dial; a probed `kubeadm-certs-renew` plan on
/// an openssl-made tree names the certificates it will re-issue.
final class ProbeLiveTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("probe-live")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, environment: ["RUNBOOK_PATH": Repository.path("runbooks")])
  }

  func defragParams(_ cluster: EtcdCluster) -> [String] {
    ["endpoints=" + cluster.endpoints.joined(separator: ","), "cacert=", "cert=", "key=", "backup_dir=" + scratch.path + "/backups", "fstrim_path="]
      .flatMap { ["-p", $0] }
  }

  /// The leader's member, as etcdctl reports it.
  func leader(_ cluster: EtcdCluster) throws -> (name: String, id: String, endpoint: String) {
    let status = try cluster.etcdctl(["endpoint", "status", "-w", "json"])
    let items = try XCTUnwrap(JSONValue.parse(status).flatMap { if case .array(let items) = $0 { items } else { nil } })
    for item in items where item["Status"]?["leader"] == item["Status"]?["header"]?["member_id"] {
      let endpoint = try XCTUnwrap(item["Endpoint"]?.stringValue)
      let member = try XCTUnwrap(cluster.members.first { $0.clientURL == endpoint })
      let id = try XCTUnwrap(item["Status"]?["header"]?["member_id"]).serialized(pretty: false)
      return (member.name, String(UInt64(id)!, radix: 16), endpoint)
    }
    throw XCTSkip("no leader")
  }

  func testAProbedDefragPlanNamesTheLeaderLastAndDefragmentsNothing() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let lead = try leader(cluster)
    let probed = try runbook(["plan", "etcd-defrag", "--probe"] + defragParams(cluster))
    XCTAssertEqual(probed.status, 0, probed.stdout + probed.stderr)
    let text = probed.stdout
    XCTAssertTrue(text.contains("  ~ defrag-former-leader — Defragment the former leader \(lead.name)\n"), text)
    XCTAssertTrue(text.contains("      $ etcdctl --endpoints=\(lead.endpoint) --command-timeout=5m --dial-timeout=2s defrag  # probed\n"), text)
    let followers = cluster.members.filter { $0.name != lead.name }
    for follower in followers {
      XCTAssertTrue(text.contains("          $ etcdctl --endpoints=\(follower.clientURL) --command-timeout=5m --dial-timeout=2s defrag  # probed\n"), text)
    }
    XCTAssertTrue(text.contains("  · status — Read members and the leader\n      action: etcd.cluster (read-only, idempotent)\n      probed: read live, outputs below\n"), text)
    XCTAssertTrue(text.contains("      not probed: it needs a step the probe did not run; as things stand now its guards let it run\n"), text)
    for member in cluster.members {
      let log = (try? String(contentsOfFile: cluster.directory + "/\(member.name).log", encoding: .utf8)) ?? ""
      XCTAssertFalse(log.contains("defragment"), "\(member.name) was defragmented by a probe:\n\(log)")
    }
    let markdown = try runbook(["plan", "etcd-defrag", "--probe", "--format", "markdown"] + defragParams(cluster))
    XCTAssertTrue(markdown.stdout.contains("| `steps.status.outputs.leader` | `{\"client_urls\":[\"\(lead.endpoint)\"],\"endpoint\":\"\(lead.endpoint)\",\"id\":\"\(lead.id)\""), markdown.stdout)
  }

  func testASealedPlanIsRefusedOnceTheLeaderMoved() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let before = try leader(cluster)
    let planned = try runbook(["plan", "etcd-defrag", "--probe", "--out", "change.plan"] + defragParams(cluster))
    XCTAssertEqual(planned.status, 0, planned.stderr)
    let target = try XCTUnwrap(cluster.members.first { $0.name != before.name })
    let targetID = try leaderIDs(cluster)[target.clientURL]!
    _ = try cluster.etcdctl(["move-leader", targetID, "--endpoints=" + before.endpoint])
    XCTAssertNotEqual(try leader(cluster).name, before.name)
    let refused = try runbook(["apply", "change.plan", "--yes"])
    XCTAssertEqual(refused.status, 3, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stderr.contains("change.plan is stale:"), refused.stderr)
    XCTAssertTrue(refused.stderr.contains("  steps.status.outputs.leader: client_urls reviewed [\"\(before.endpoint)\"], found [\"\(target.clientURL)\"]; "), refused.stderr)
    XCTAssertTrue(refused.stderr.contains("; name reviewed \"\(before.name)\", found \"\(target.name)\""), refused.stderr)
    XCTAssertFalse(refused.stdout.contains("run "), "nothing ran")
  }

  /// Each endpoint's member id in hex.
  func leaderIDs(_ cluster: EtcdCluster) throws -> [String: String] {
    let status = try cluster.etcdctl(["endpoint", "status", "-w", "json"])
    guard case .array(let items)? = JSONValue.parse(status) else { return [:] }
    var ids: [String: String] = [:]
    for item in items {
      if let endpoint = item["Endpoint"]?.stringValue, let id = item["Status"]?["header"]?["member_id"] {
        ids[endpoint] = String(UInt64(id.serialized(pretty: false))!, radix: 16)
      }
    }
    return ids
  }

  func testADeadMemberBlocksTheProbeAtOnceNotAfterATimeoutPerCheck() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    cluster.kill("m3")
    let probed = try runbook(["plan", "etcd-defrag", "--probe"] + defragParams(cluster))
    XCTAssertEqual(probed.status, 3, probed.stdout + probed.stderr)
    let dead = cluster.members.first { $0.name == "m3" }!.clientURL
    XCTAssertTrue(probed.stdout.hasPrefix("BLOCKED NOW: apply would stop before the first step:\n  ✗ run precondition 1 (etcd.cluster): every member must be healthy; unhealthy: \(dead) (force_unhealthy to proceed)\n"), probed.stdout)
    let applied = try runbook(["apply", "etcd-defrag", "--yes"] + defragParams(cluster))
    XCTAssertEqual(applied.status, 3, applied.stdout + applied.stderr)
  }

  func testAProbedRenewalPlanNamesTheCertificatesItWillReissue() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["apiserver": .expired, "etcd/peer": .expiring, "admin.conf": .expiring])
    let params = ["pki_dir=" + tree.pkiDirectory, "kubeconfig_dir=" + tree.kubernetesDirectory, "manifests_dir=" + tree.manifestsDirectory, "backup_dir=" + scratch.path + "/backups", "restart=false"]
    try FileManager.default.createDirectory(atPath: scratch.path + "/backups", withIntermediateDirectories: true)
    let before = try tree.snapshot()
    let probed = try runbook(["plan", "kubeadm-certs-renew", "--probe"] + params.flatMap { ["-p", $0] })
    XCTAssertEqual(probed.status, 0, probed.stdout + probed.stderr)
    XCTAssertEqual(try tree.snapshot(), before, "the probe changed nothing")
    let text = probed.stdout
    func iteration(_ leaf: String) -> String? {
      guard let start = text.range(of: "        [\(leaf)]\n") else { return nil }
      return String(text[start.upperBound...].prefix(600))
    }
    for due in ["apiserver from ca", "etcd/peer from etcd/ca"] {
      let block = try XCTUnwrap(iteration(due), text)
      XCTAssertTrue(block.hasPrefix("          skip_if now: does not hold"), block)
    }
    let kept = try XCTUnwrap(iteration("etcd/server from etcd/ca"), text)
    XCTAssertTrue(kept.hasPrefix("          skip_if now: holds\n          not probed: it needs a step the probe did not run; as things stand now its skip_if holds (already done)\n"), kept)
    XCTAssertTrue(text.contains("          cert: \(tree.pkiDirectory)/apiserver.crt\n"), text)
    let admin = try XCTUnwrap(iteration("admin.conf"), text)
    XCTAssertTrue(admin.hasPrefix("          skip_if now: does not hold"), admin)
  }

  /// The reviewer's whole path, as issue 12 says it: probe a real cluster, seal, sign twice,
  /// apply; change the cluster and see the next plan refused.
  func testProbeSealSignTwiceApplyThenAChangedClusterIsRefused() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let alice = try SSHKey("alice", type: "ed25519", principal: "alice@example.com", in: scratch.path)
    let bob = try SSHKey("bob", type: "rsa", principal: "bob@example.com", in: scratch.path)
    try scratch.write("allowed_signers", alice.allowedSignersLine + "\n" + bob.allowedSignersLine + "\n")
    let params = defragParams(cluster) + ["-p", "command_timeout=5s"]
    for plan in ["first.plan", "second.plan"] {
      XCTAssertEqual(try runbook(["plan", "etcd-defrag", "--probe", "--out", plan] + params).status, 0)
      for key in [alice, bob] { XCTAssertEqual(try runbook(["approve", plan, "--key", key.path]).status, 0) }
    }
    let applied = try runbook(["apply", "first.plan", "--yes", "--run-id", "reviewed", "--allowed-signers", "allowed_signers", "--approvals", "2"])
    XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
    let shown = try runbook(["show", "reviewed"])
    XCTAssertTrue(shown.stdout.contains("alice@example.com") && shown.stdout.contains("bob@example.com"), shown.stdout)
    // The run moved leadership: the second plan, reviewed before, no longer matches.
    let refused = try runbook(["apply", "second.plan", "--yes", "--allowed-signers", "allowed_signers", "--approvals", "2"])
    XCTAssertEqual(refused.status, 3, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stderr.contains("second.plan is stale:") && refused.stderr.contains("steps.status.outputs.leader: "), refused.stderr)
  }
}
