import Foundation
import RunbookTestSupport
import XCTest

/// The shipped kubeadm certificate runbooks across control-plane hosts (`-i`, `-p hosts=cp`), by
/// the real binary on real OpenSSH servers (`SSHHosts`): each host gets a kubeadm tree of its own
/// (made by openssl with `KubeadmTree`, copied into the host's private /etc/kubernetes), and only
/// some hosts have something due. Their local behaviour is `KubeadmCertificateRunbookTests`'.
final class KubeadmAcrossHostsTests: XCTestCase {
  private var hosts: SSHHosts!
  private var scratch: ScratchDirectory!
  private var servers: [Process] = []
  private let names = ["node1", "node2", "node3"]

  override func setUpWithError() throws {
    try SSHHosts.requireAvailable()
    hosts = try SSHHosts()
    scratch = try ScratchDirectory("kubeadm-hosts")
    try "ok".write(toFile: scratch.path + "/readyz", atomically: true, encoding: .utf8)
  }

  override func tearDown() {
    for server in servers { server.terminate() }
    hosts?.stopAll()
    hosts = nil
  }

  /// Makes a tree for each host in the harness directory (which the hosts see; their /tmp is
  /// their own) and copies its `kubernetes/` into the host's /etc/kubernetes. The kubelet's
  /// certificate stays where the tree made it, which kubelet.conf names.
  @discardableResult
  private func plantTrees(_ validity: [String: [String: KubeadmTree.Validity]]) throws -> [String: KubeadmTree] {
    var trees: [String: KubeadmTree] = [:]
    for name in names {
      let tree = try KubeadmTree(in: "\(hosts.directory)/trees/\(name)", validity: validity[name] ?? [:])
      let copied = try hosts.run("mkdir -p /etc/kubernetes && cp -a '\(tree.kubernetesDirectory)/.' /etc/kubernetes/", on: name)
      XCTAssertEqual(copied.status, 0, copied.stderr)
      trees[name] = tree
    }
    return trees
  }

  /// A file as the host has it: its private directories are kept in the harness directory.
  private func onHost(_ name: String, _ path: String) -> String {
    "\(hosts.directory)/\(name)/fs\(path)"
  }

  /// The inventory: group `cp` of the three hosts, each with its own `readyz_url` when given.
  private func inventory(readyz: [String: String] = [:]) throws -> String {
    let lines = hosts.inventoryINI(groups: ["cp": names]).split(separator: "\n", omittingEmptySubsequences: false).map { line in
      guard let name = line.split(separator: " ").first.map(String.init), let url = readyz[name], line.hasPrefix("\(name) ansible_host=") else { return String(line) }
      return "\(name) readyz_url=\(url) " + line.dropFirst(name.count + 1)
    }
    return try scratch.write("hosts.ini", lines.joined(separator: "\n"))
  }

  /// The API server's stand-in on `name`: there is no kube-apiserver in the tests, so openssl
  /// serves /readyz on the host's own address with the host's apiserver certificate, asking
  /// for a client certificate from the host's cluster CA, as kube-apiserver does. Returns its URL.
  private func standInAPIServer(on name: String, tree: KubeadmTree) throws -> String {
    let address = hosts.host(name).address
    let port = try EtcdCluster.freePort(on: address)
    servers.append(
      try OpenSSL.startServer(
        in: scratch.path, address: address, port: port, certificate: tree.pkiDirectory + "/apiserver.crt", key: tree.pkiDirectory + "/apiserver.key",
        clientCA: tree.pkiDirectory + "/ca.crt"))
    return "https://\(address):\(port)/readyz"
  }

  private func runbook(_ arguments: [String], inventory: String) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments + ["-i", inventory, "-p", "hosts=cp"], environment: ["RUNBOOK_PATH": Repository.path("runbooks")])
  }

  /// What every host holds after a renewal: every leaf signed by its CA with its own key and
  /// valid for more than 30 days, every CA and sa key byte for byte what `before` had.
  private func assertRenewed(_ before: [String: [String: Data]], file: StaticString = #filePath, line: UInt = #line) throws {
    for name in names {
      let pki = onHost(name, "/etc/kubernetes/pki")
      for leaf in KubeadmTree.leaves {
        let crt = "\(pki)/\(leaf.name).crt"
        XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", "\(pki)/\(leaf.ca).crt", crt]), crt + ": OK\n", "\(name) \(leaf.name)", file: file, line: line)
        XCTAssertEqual(
          try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", "\(pki)/\(leaf.name).key"]), try OpenSSL.run(["x509", "-noout", "-modulus", "-in", crt]),
          "\(name) \(leaf.name): a matching pair", file: file, line: line)
        XCTAssertNoThrow(try OpenSSL.run(["x509", "-noout", "-checkend", String(31 * 86_400), "-in", crt]), "\(name) \(leaf.name) valid", file: file, line: line)
      }
      for trusted in ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key", "sa.key", "sa.pub"] {
        XCTAssertEqual(FileManager.default.contents(atPath: "\(pki)/\(trusted)"), before[name]?[trusted], "\(name) \(trusted) unchanged", file: file, line: line)
      }
    }
  }

  private func trustedFiles() -> [String: [String: Data]] {
    Dictionary(uniqueKeysWithValues: names.map { name in
      (name, Dictionary(uniqueKeysWithValues: ["ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key", "sa.key", "sa.pub"].map {
        ($0, FileManager.default.contents(atPath: onHost(name, "/etc/kubernetes/pki/\($0)")) ?? Data())
      }))
    })
  }

  private func restartStamp(_ name: String) -> Int? {
    (try? String(contentsOfFile: onHost(name, "/etc/kubernetes/kubelet-restarted"), encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }

  private func renewParams(wait: String = "1s", timeout: String = "30s") -> [String] {
    [
      "backup_dir=/var/lib/runbook/backups", "pod_restart_wait=\(wait)", "readyz_timeout=\(timeout)",
      "kubelet_restart_command=date +%s%N > /etc/kubernetes/kubelet-restarted",
    ].flatMap { ["-p", $0] }
  }

  func testTheCheckReadsEveryHostAndPrintsOneTableNamingTheHostWhereSomethingIsDue() throws {
    try plantTrees(["node2": ["apiserver": .expired, "admin.conf": .expiring]])
    let inventory = try inventory()
    let blocked = try runbook(["apply", "kubeadm-certs-check", "--yes"], inventory: inventory)
    XCTAssertEqual(blocked.status, 3, blocked.stdout + blocked.stderr)
    XCTAssertTrue(blocked.stdout.contains("precondition failed: expired: [node2 apiserver]; expiring within 30 days: [node2 admin.conf]"), blocked.stdout)
    let table = blocked.stdout.split(separator: "\n").filter { $0.hasPrefix("  table | ") }.map { String($0.dropFirst("  table | ".count)) }
    XCTAssertEqual(table.filter { $0.hasPrefix("HOST ") && $0.contains("CERTIFICATE ") && $0.contains("RESIDUAL TIME") }.count, 2, "one table of leaves, one of CAs:\n" + blocked.stdout)
    let rows = table.filter { !$0.hasPrefix("HOST ") && !$0.isEmpty }
    XCTAssertEqual(Set(rows.compactMap { $0.split(separator: " ").first.map(String.init) }), Set(names), "every host in the one table")
    XCTAssertEqual(rows.filter { $0.hasSuffix("expired") }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }, ["node2 apiserver"], blocked.stdout)
    XCTAssertEqual(rows.filter { $0.hasSuffix("expiring") }.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }, ["node2 admin.conf"], blocked.stdout)
    XCTAssertFalse(blocked.stdout.contains("verdict@"), "the verdict is given once, here: " + blocked.stdout)

    let relaxed = try runbook(["apply", "kubeadm-certs-check", "--yes", "-p", "warn_days=5"], inventory: inventory)
    XCTAssertEqual(relaxed.status, 3, "apiserver has expired whatever warn_days says: " + relaxed.stdout)
    XCTAssertTrue(relaxed.stdout.contains("expired: [node2 apiserver]; expiring within 5 days: []"), relaxed.stdout)
  }

  func testRenewGoesOneHostAtATimeAwaitingEachReadyzAndLeavesEveryHostValid() throws {
    let trees = try plantTrees([
      "node1": ["apiserver": .expiring], "node2": ["etcd/peer": .expiring, "scheduler.conf": .expiring], "node3": ["front-proxy-client": .expiring],
    ])
    let before = trustedFiles()
    let readyz = try Dictionary(uniqueKeysWithValues: names.map { ($0, try standInAPIServer(on: $0, tree: trees[$0]!)) })
    let inventory = try inventory(readyz: readyz)

    let plan = try runbook(["plan", "kubeadm-certs-renew"] + renewParams(), inventory: inventory)
    XCTAssertEqual(plan.status, 0, plan.stdout + plan.stderr)
    XCTAssertTrue(plan.stdout.contains("reload") && plan.stdout.contains("node1") && plan.stdout.contains("node3"), plan.stdout)

    let run = try runbook(["apply", "kubeadm-certs-renew", "--yes", "--run-id", "rolling"] + renewParams(), inventory: inventory)
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    for (name, renewed) in [("node1", "host-apiserver"), ("node2", "host-etcd-peer"), ("node2", "host-scheduler-conf"), ("node3", "host-front-proxy-client")] {
      XCTAssertTrue(run.stdout.contains("\(renewed)@\(name) | re-issued"), "\(renewed)@\(name):\n" + run.stdout)
    }
    let stamps = try names.map { try XCTUnwrap(restartStamp($0), "\($0) restarted its kubelet:\n" + run.stdout) }
    XCTAssertEqual(stamps, stamps.sorted(), "serial: 1 reloads node1, node2, node3 in turn")
    XCTAssertGreaterThan(stamps[1] - stamps[0], 1_000_000_000, "node2's reload began after node1's pods were out for pod_restart_wait and its /readyz answered")
    for name in names {
      XCTAssertEqual(
        try FileManager.default.contentsOfDirectory(atPath: onHost(name, "/etc/kubernetes/manifests")).sorted(),
        ["etcd.yaml", "kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"], "\(name): every manifest back")
      XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: onHost(name, "/etc/kubernetes/manifests.held")), [], "\(name): none left held")
      XCTAssertTrue(FileManager.default.fileExists(atPath: onHost(name, "/var/lib/runbook/backups")), "\(name) backed up on the host itself")
    }
    try assertRenewed(before)
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/var/lib/runbook/backups"), "nothing was written on the machine itself")

    let check = try runbook(["apply", "kubeadm-certs-check", "--yes"], inventory: inventory)
    XCTAssertEqual(check.status, 0, "nothing due on any host any more: " + check.stdout)
  }

  func testAHostWhoseReadyzNeverComesStopsTheHostsAfterIt() throws {
    let trees = try plantTrees(["node1": ["apiserver": .expiring], "node2": ["apiserver": .expiring], "node3": ["apiserver": .expiring]])
    // node2 has no API server: its /readyz never answers.
    let readyz = try [
      "node1": standInAPIServer(on: "node1", tree: trees["node1"]!), "node3": standInAPIServer(on: "node3", tree: trees["node3"]!),
      "node2": "https://\(hosts.host("node2").address):\(try EtcdCluster.freePort(on: hosts.host("node2").address))/readyz",
    ]
    let run = try runbook(["apply", "kubeadm-certs-renew", "--yes"] + renewParams(timeout: "3s"), inventory: inventory(readyz: readyz))
    XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("stopped after batch 2: 1 of 1 failed (max_fail 0); not started: node3"), run.stdout)
    XCTAssertTrue(run.stdout.contains("http.get did not hold within 3s"), run.stdout)
    XCTAssertNotNil(restartStamp("node1"))
    XCTAssertNotNil(restartStamp("node2"), "node2 was reloaded, and its /readyz never came")
    XCTAssertNil(restartStamp("node3"), "node3 was never reloaded")
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: onHost("node3", "/etc/kubernetes/manifests")).sorted(),
      ["etcd.yaml", "kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: onHost("node3", "/etc/kubernetes/manifests.held")), "node3's static pods were never touched")
  }

  func testJumpstartAcrossHostsReissuesWhatExpiredOnEachHostKeepingEveryCA() throws {
    let trees = try plantTrees(["node2": ["apiserver": .expired, "admin.conf": .expired, "kubelet.conf": .expired], "node3": ["etcd/server": .expired]])
    let before = trustedFiles()
    let kubelet = trees["node2"]!.kubeletPKIDirectory + "/kubelet-client-2025-01-01-00-00-00.pem"
    let oldKubelet = FileManager.default.contents(atPath: kubelet)
    let run = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes", "-p", "restart=false", "-p", "backup_dir=/var/lib/runbook/backups"], inventory: inventory())
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("renew-kubelet@node2 | re-issued"), run.stdout)
    XCTAssertNotEqual(FileManager.default.contents(atPath: kubelet), oldKubelet, "node2's kubelet certificate re-issued")
    try assertRenewed(before)
    let check = try runbook(["apply", "kubeadm-certs-check", "--yes"], inventory: inventory())
    XCTAssertEqual(check.status, 0, check.stdout)
  }

  func testAHostWithoutEveryCAKeyBlocksTheJumpstartBeforeAnythingChanges() throws {
    try plantTrees(["node1": ["apiserver": .expired], "node3": ["apiserver": .expired]])
    XCTAssertEqual(try hosts.run("rm /etc/kubernetes/pki/front-proxy-ca.key", on: "node3").status, 0)
    let before = try String(contentsOfFile: onHost("node1", "/etc/kubernetes/pki/apiserver.crt"), encoding: .utf8)
    let run = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes", "-p", "restart=false", "-p", "backup_dir=/var/lib/runbook/backups"], inventory: inventory())
    XCTAssertEqual(run.status, 3, run.stdout + run.stderr)
    XCTAssertTrue(run.stdout.contains("front-proxy-ca: its key /etc/kubernetes/pki/front-proxy-ca.key is missing"), run.stdout)
    XCTAssertEqual(try String(contentsOfFile: onHost("node1", "/etc/kubernetes/pki/apiserver.crt"), encoding: .utf8), before, "no host was touched")
    XCTAssertFalse(FileManager.default.fileExists(atPath: onHost("node1", "/var/lib/runbook/backups")))
  }

  func testAProbedPlanReadsEveryHostAndNamesWhatIsDueWhere() throws {
    try plantTrees(["node2": ["apiserver": .expired]])
    let inventory = try inventory()
    let check = try runbook(["plan", "kubeadm-certs-check", "--probe"], inventory: inventory)
    XCTAssertEqual(check.status, 3, check.stdout + check.stderr)
    XCTAssertTrue(check.stdout.hasPrefix("BLOCKED NOW: apply would stop at a step:\n  ✗ step verdict: precondition failed: expired: [node2 apiserver]; expiring within 30 days: []\n"), check.stdout)
    let renew = try runbook(["plan", "kubeadm-certs-renew", "--probe", "-p", "backup_dir=/var/lib/runbook/backups"], inventory: inventory)
    XCTAssertEqual(renew.status, 0, renew.stdout + renew.stderr)
    XCTAssertTrue(renew.stdout.contains("· inventory — Read every certificate and fingerprint the CAs and sa keys\n      action: pki.check (read-only, idempotent)\n      probed: read live"), renew.stdout)
    // A renewal on hosts is not reached by the probe (the backups come first), and its skip_if
    // is read on each host at apply, never on this machine.
    let start = try XCTUnwrap(renew.stdout.range(of: "  ~ host-apiserver — "), renew.stdout)
    let block = String(renew.stdout[start.lowerBound...].prefix(1200))
    XCTAssertTrue(block.contains("not probed: it needs a step the probe did not run; its guards are read on each host, at apply"), block)
    XCTAssertTrue(block.contains("on: ${{ params.hosts }} → node1, node2, node3, as root (sudo -n)\n        3 batches: [node1] [node2] [node3]"), block)
    XCTAssertFalse(renew.stdout.contains("no such directory"), "nothing was read on this machine: " + renew.stdout)
  }
}
