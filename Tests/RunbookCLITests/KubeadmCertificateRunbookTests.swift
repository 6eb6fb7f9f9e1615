import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// The shipped kubeadm certificate runbooks through the built binary, with `method: native` and
/// `restart: false`, on kubeadm trees made by openssl; checked with openssl, kubectl (when
/// installed) and byte comparison.
final class KubeadmCertificateRunbookTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("kubeadm")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: scratch.path, environment: environment)
  }

  var environment: [String: String] {
    ["RUNBOOK_STATE_DIR": scratch.path + "/state", "RUNBOOK_PATH": Repository.path("runbooks")]
  }

  func treeParams(_ tree: KubeadmTree) -> [String] {
    [
      "pki_dir=" + tree.pkiDirectory, "kubeconfig_dir=" + tree.kubernetesDirectory, "manifests_dir=" + tree.manifestsDirectory,
      "backup_dir=" + scratch.path + "/backups", "restart=false",
    ].flatMap { ["-p", $0] }
  }

  static let expired: [String: KubeadmTree.Validity] = [
    "apiserver": .expired, "etcd/server": .expired, "front-proxy-client": .expiring, "admin.conf": .expired, "scheduler.conf": .expiring,
    "kubelet.conf": .expired,
  ]

  func testCheckEndsBlockedWhileAnythingExpiresAndSucceedsOnceNothingDoes() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["etcd/peer": .expiring])
    let params = ["-p", "pki_dir=" + tree.pkiDirectory, "-p", "kubeconfig_dir=" + tree.kubernetesDirectory]
    let blocked = try runbook(["apply", "kubeadm-certs-check", "--yes"] + params)
    XCTAssertEqual(blocked.status, 3, blocked.stdout + blocked.stderr)
    XCTAssertTrue(blocked.stdout.contains("expiring within 30 days: [etcd-peer]"), blocked.stdout)
    XCTAssertTrue(blocked.stdout.contains("etcd-peer") && blocked.stdout.contains("RESIDUAL TIME"), blocked.stdout)
    let relaxed = try runbook(["apply", "kubeadm-certs-check", "--yes", "-p", "warn_days=5"] + params)
    XCTAssertEqual(relaxed.status, 0, relaxed.stdout + relaxed.stderr)
  }

  func testJumpstartReissuesWhatExpiredFromTheSameCAsAndTouchesNothingElse() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: Self.expired)
    let before = try tree.snapshot()
    let oldSubjects = try Self.expired.keys.map { try Self.describe(tree, $0) }

    let plan = try runbook(["plan", "kubeadm-cert-jumpstart"] + treeParams(tree))
    XCTAssertEqual(plan.status, 0, plan.stderr)
    XCTAssertTrue(plan.stdout.contains("re-issue \(tree.pkiDirectory)/etcd/server.crt with a new key \(tree.pkiDirectory)/etcd/server.key from the CA \(tree.pkiDirectory)/etcd/ca.crt (read only, never changed)"), plan.stdout)
    XCTAssertTrue(plan.stdout.contains("check.ca_fingerprints == steps.inventory.outputs.ca_fingerprints"), "the plan shows that no CA may change")

    let run = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes", "--run-id", "j1"] + treeParams(tree))
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    let after = try tree.snapshot()
    let changed = Set(after.keys.filter { before[$0] != after[$0] })
    XCTAssertEqual(
      changed,
      [
        "kubernetes/pki/apiserver.crt", "kubernetes/pki/apiserver.key", "kubernetes/pki/etcd/server.crt", "kubernetes/pki/etcd/server.key",
        "kubernetes/pki/front-proxy-client.crt", "kubernetes/pki/front-proxy-client.key", "kubernetes/admin.conf", "kubernetes/scheduler.conf",
        "kubelet/pki/kubelet-client-2025-01-01-00-00-00.pem",
      ])
    for ca in ["ca", "front-proxy-ca", "etcd/ca"] {
      XCTAssertEqual(after["kubernetes/pki/\(ca).crt"], before["kubernetes/pki/\(ca).crt"], "\(ca).crt byte for byte")
      XCTAssertEqual(after["kubernetes/pki/\(ca).key"], before["kubernetes/pki/\(ca).key"], "\(ca).key byte for byte")
    }
    XCTAssertEqual(after["kubernetes/pki/sa.key"], before["kubernetes/pki/sa.key"])
    XCTAssertEqual(after["kubernetes/pki/sa.pub"], before["kubernetes/pki/sa.pub"])
    XCTAssertEqual(try Self.expired.keys.map { try Self.describe(tree, $0) }, oldSubjects, "subjects, SANs and usages kept")
    for name in Self.expired.keys {
      let (file, ca) = try Self.certificate(tree, name)
      XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", ca, file]), file + ": OK\n", name)
      XCTAssertNotNil(try? OpenSSL.run(["x509", "-noout", "-checkend", String(360 * 86_400), "-in", file]), "\(name) valid for the new period")
    }
    try assertKubeconfigsParse(tree)

    let again = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes", "--run-id", "j2"] + treeParams(tree))
    XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
    XCTAssertEqual(try tree.snapshot(), after, "a second run changes nothing")
    let renewals = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").steps(ofRun: "j2").filter { $0.step.hasPrefix("renew-") && $0.iteration != nil }
    XCTAssertTrue(renewals.allSatisfy { $0.status == .skipped }, "\(renewals.map { "\($0.step)[\($0.iteration!)] \($0.status)" })")
  }

  func testJumpstartKilledHalfwayResumesToTheEndWithNoHalfWrittenFile() throws {
    // 4096-bit keys make each re-issue slow enough to be caught in the middle of the loop.
    let tree = try KubeadmTree(in: scratch.path, validity: Dictionary(uniqueKeysWithValues: KubeadmTree.leaves.map { ($0.name, .expired) }), leafKeyBits: 4096)
    let journal = scratch.path + "/state/journal.sqlite"
    let engine = try CommandLineTool.start(["apply", "kubeadm-cert-jumpstart", "--yes", "--run-id", "k"] + treeParams(tree), in: scratch.path, environment: environment)
    let deadline = Date().addingTimeInterval(120)
    var renewed = 0
    while Date() < deadline, renewed == 0, engine.process.isRunning {
      usleep(20_000)
      guard engine.stdoutSoFar.contains("run k:"), let store = try? SQLiteStateStore(path: journal) else { continue }
      renewed = ((try? store.steps(ofRun: "k")) ?? []).filter { $0.step == "renew-certificates" && $0.iteration != nil && $0.status == .succeeded }.count
    }
    engine.signal(SIGKILL)
    let killed = try engine.finish()
    XCTAssertGreaterThan(renewed, 0, "killed before any re-issue: \(killed.stdout.suffix(1500)) \(killed.stderr.suffix(1500))")
    let steps = try SQLiteStateStore(path: journal).steps(ofRun: "k")
    let done = steps.filter { $0.step == "renew-certificates" && $0.iteration != nil && $0.status == .succeeded }.count
    XCTAssertLessThan(done, KubeadmTree.leaves.count, "the kill came halfway, not after the loop")

    for leaf in KubeadmTree.leaves {
      let file = tree.pkiDirectory + "/" + leaf.name
      XCTAssertNoThrow(try OpenSSL.run(["x509", "-noout", "-in", file + ".crt"]), "\(leaf.name).crt whole after the kill")
      XCTAssertNoThrow(try OpenSSL.run(["rsa", "-noout", "-in", file + ".key"]), "\(leaf.name).key whole after the kill")
    }
    let resumed = try runbook(["resume", "k"])
    XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    for leaf in KubeadmTree.leaves {
      let file = tree.pkiDirectory + "/" + leaf.name
      let ca = tree.pkiDirectory + "/" + leaf.ca + ".crt"
      XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", ca, file + ".crt"]), file + ".crt: OK\n")
      XCTAssertEqual(try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", file + ".key"]), try OpenSSL.run(["x509", "-noout", "-modulus", "-in", file + ".crt"]), "\(leaf.name): a matching pair")
      XCTAssertTrue(try OpenSSL.run(["x509", "-noout", "-text", "-in", file + ".crt"]).contains("Public-Key: (4096 bit)"), "same key size")
    }
    let leftovers = try tree.snapshot().keys.filter { $0.hasSuffix(".tmp") }
    XCTAssertEqual(leftovers, [], "no temporary file left behind")
  }

  func testJumpstartRefusesWithoutEveryCAKeyAndSAKeyOrWithBackupsInTheManifests() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: Self.expired)
    try FileManager.default.moveItem(atPath: tree.pkiDirectory + "/front-proxy-ca.key", toPath: scratch.path + "/front-proxy-ca.key")
    try FileManager.default.moveItem(atPath: tree.pkiDirectory + "/sa.key", toPath: scratch.path + "/sa.key")
    var before = try tree.snapshot()
    before["kubernetes/pki/front-proxy-ca.key"] = FileManager.default.contents(atPath: scratch.path + "/front-proxy-ca.key")
    before["kubernetes/pki/sa.key"] = FileManager.default.contents(atPath: scratch.path + "/sa.key")
    let refused = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes"] + treeParams(tree))
    XCTAssertEqual(refused.status, 3, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stdout.contains("front-proxy-ca: its key \(tree.pkiDirectory)/front-proxy-ca.key is missing"), refused.stdout)
    try FileManager.default.moveItem(atPath: scratch.path + "/front-proxy-ca.key", toPath: tree.pkiDirectory + "/front-proxy-ca.key")
    let noSA = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes"] + treeParams(tree))
    XCTAssertEqual(noSA.status, 3, noSA.stdout + noSA.stderr)
    XCTAssertTrue(noSA.stdout.contains("sa.key is missing: a new one would invalidate every service-account token"), noSA.stdout)
    try FileManager.default.moveItem(atPath: scratch.path + "/sa.key", toPath: tree.pkiDirectory + "/sa.key")
    XCTAssertEqual(try tree.snapshot(), before, "nothing touched")

    let inside = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes"] + treeParams(tree) + ["-p", "backup_dir=" + tree.manifestsDirectory + "/backup"])
    XCTAssertEqual(inside.status, 3, inside.stdout + inside.stderr)
    XCTAssertTrue(inside.stdout.contains("must be outside"), inside.stdout)
    XCTAssertFalse(FileManager.default.fileExists(atPath: tree.manifestsDirectory + "/backup"))
  }

  func testJumpstartWithRestartReloadsTheStaticPodsAndWaitsForReadyz() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["scheduler.conf": .expired])
    let manifests = try FileManager.default.contentsOfDirectory(atPath: tree.manifestsDirectory).sorted()
    let before = try tree.snapshot()
    // The API server's stand-in: openssl serving /readyz with the tree's apiserver certificate,
    // asking for a client certificate from the cluster CA, as kube-apiserver does.
    try "ok".write(toFile: scratch.path + "/readyz", atomically: true, encoding: .utf8)
    let port = try EtcdCluster.freePort(on: "127.0.0.1")
    let server = try OpenSSL.startServer(
      in: scratch.path, port: port, certificate: tree.pkiDirectory + "/apiserver.crt", key: tree.pkiDirectory + "/apiserver.key",
      clientCA: tree.pkiDirectory + "/ca.crt")
    defer { server.terminate() }
    let restarted = scratch.path + "/kubelet-restarted"
    let params = treeParams(tree).dropLast(2) + [
      "-p", "restart=true", "-p", "pod_restart_wait=1s", "-p", "readyz_url=https://127.0.0.1:\(port)/readyz",
      "-p", "kubelet_restart_command=ls \(tree.manifestsDirectory) \(tree.manifestsDirectory).held > \(restarted)",
    ]
    let run = try runbook(["apply", "kubeadm-cert-jumpstart", "--yes", "--run-id", "r"] + params)
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tree.manifestsDirectory).sorted(), manifests, "every manifest back")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tree.manifestsDirectory + ".held"), [], "nothing left in the holding directory")
    let after = try tree.snapshot()
    for manifest in manifests { XCTAssertEqual(after["kubernetes/manifests/\(manifest)"], before["kubernetes/manifests/\(manifest)"], manifest) }
    XCTAssertEqual(scratch.read("kubelet-restarted"), "\(tree.manifestsDirectory):\n" + manifests.joined(separator: "\n") + "\n\n\(tree.manifestsDirectory).held:\n", "the kubelet restarted once the manifests were back")
    let steps = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").steps(ofRun: "r")
    XCTAssertEqual(steps.filter { $0.step == "hold-manifests" && $0.iteration != nil && $0.status == .succeeded }.count, manifests.count, "each manifest was moved out")
    XCTAssertEqual(steps.first { $0.step == "readyz" }?.outputs["polls"], .int(1), "/readyz answered 200 at the first poll")
  }

  func testRenewReissuesWhatIsDueAndLeavesTheKubeletToItself() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["apiserver": .expiring, "controller-manager.conf": .expiring, "kubelet.conf": .expiring])
    let before = try tree.snapshot()
    let run = try runbook(["apply", "kubeadm-certs-renew", "--yes", "-p", "warn_days=20"] + treeParams(tree))
    XCTAssertEqual(run.status, 1, "the kubelet's own certificate is left alone, and the final check says so")
    XCTAssertTrue(run.stdout.contains("expiring: [kubelet.conf]"), run.stdout)
    let after = try tree.snapshot()
    XCTAssertEqual(
      Set(after.keys.filter { before[$0] != after[$0] }),
      ["kubernetes/pki/apiserver.crt", "kubernetes/pki/apiserver.key", "kubernetes/controller-manager.conf"])
    try assertKubeconfigsParse(tree)
  }

  func testTheKubeadmMethodIsPlannedAsKubeadmCertsRenewAll() throws {
    let tree = try KubeadmTree(in: scratch.path)
    for name in ["kubeadm-certs-renew", "kubeadm-cert-jumpstart"] {
      let plan = try runbook(["plan", name, "-p", "method=kubeadm"] + treeParams(tree))
      XCTAssertEqual(plan.status, 0, plan.stderr)
      XCTAssertTrue(plan.stdout.contains("$ kubeadm certs renew all --cert-dir=\(tree.pkiDirectory) --kubeconfig-dir=\(tree.kubernetesDirectory)"), plan.stdout)
      XCTAssertTrue(plan.stdout.contains("renew-certificates — ") && plan.stdout.contains("when: ${{ params.method == 'native' && default(params.hosts, '') == '' }} → false"), plan.stdout)
    }
    let restart = try runbook(["plan", "kubeadm-certs-renew", "-p", "restart=true"] + treeParams(tree).dropLast(2))
    XCTAssertTrue(restart.stdout.contains("$ mv \(tree.manifestsDirectory)/kube-apiserver.yaml \(tree.manifestsDirectory).held/kube-apiserver.yaml"), restart.stdout)
    XCTAssertTrue(restart.stdout.contains("poll http.get every 5s until ${{ check.status == 200 }}"), restart.stdout)
  }

  /// `kubectl config view --raw` reads every kubeconfig, when kubectl is installed.
  func assertKubeconfigsParse(_ tree: KubeadmTree, file: StaticString = #filePath, line: UInt = #line) throws {
    guard let kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
    for kubeconfig in KubeadmTree.kubeconfigs {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: kubectl)
      process.arguments = ["config", "view", "--raw", "--kubeconfig", tree.kubernetesDirectory + "/" + kubeconfig.name, "-o", "jsonpath={.users[0].name}"]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      let name = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      XCTAssertEqual(process.terminationStatus, 0, "kubectl reads \(kubeconfig.name)", file: file, line: line)
      XCTAssertFalse(name.isEmpty, "\(kubeconfig.name) names its user", file: file, line: line)
    }
  }

  /// The certificate file of a leaf or kubeconfig (decoded into the scratch directory) and its CA.
  static func certificate(_ tree: KubeadmTree, _ name: String) throws -> (String, String) {
    let leaf = try XCTUnwrap((KubeadmTree.leaves + KubeadmTree.kubeconfigs).first { $0.name == name })
    let ca = tree.pkiDirectory + "/" + leaf.ca + ".crt"
    guard name.hasSuffix(".conf"), name != "kubelet.conf" else { return (tree.certificatePath(name), ca) }
    let text = try String(contentsOfFile: tree.certificatePath(name), encoding: .utf8)
    let line = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("client-certificate-data:") })
    let path = AtomicFile.directoryOf(tree.kubernetesDirectory) + "/\(name).crt"
    try XCTUnwrap(Data(base64Encoded: String(line.split(separator: " ").last ?? ""))).write(to: URL(fileURLWithPath: path))
    return (path, ca)
  }

  /// Subject, SANs, key usage and extended key usage as openssl prints them.
  static func describe(_ tree: KubeadmTree, _ name: String) throws -> String {
    try OpenSSL.run([
      "x509", "-noout", "-subject", "-ext", "subjectAltName,keyUsage,extendedKeyUsage,basicConstraints", "-in", try certificate(tree, name).0,
    ])
  }
}
