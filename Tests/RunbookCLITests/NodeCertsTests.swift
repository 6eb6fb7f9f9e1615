import Foundation
import RunbookTestSupport
import XCTest

/// The shipped `node-certs-save` and `node-certs-restore` runbooks, run by the real binary on
/// three real OpenSSH hosts (`SSHHosts`), each with a kubeadm tree made by openssl: saved from
/// every host into local archives, one host wiped and restored byte for byte with modes and
/// owners, a tampered archive refused with nothing written, and a key that is not its
/// certificate's, or an etcd leaf another CA signed, caught by the restore's verify.
final class NodeCertsTests: XCTestCase {
  private var hosts: SSHHosts!
  private var scratch: ScratchDirectory!
  private var saved: String { scratch.path + "/saved" }

  /// What the tests compare: every path under the saved trees with its type, mode, owner,
  /// group, size, mtime (not for links) and sha256 (files) or target (links).
  private static let listing = """
    cd / && for root in etc/kubernetes/pki etc/ssl/etcd/ssl usr/local/share/ca-certificates; do
      [ -e "$root" ] || [ -L "$root" ] || continue
      find "$root" | LC_ALL=C sort | while read -r p; do
        if [ -L "$p" ]; then stat -c '%n link %U:%G -> %N' "$p"
        elif [ -f "$p" ]; then echo "$(stat -c '%n file %a %U:%G %s %Y' "$p") $(sha256sum < "$p" | cut -c1-64)"
        else stat -c '%n %F %a %U:%G %Y' "$p"; fi
      done
    done
    """

  override func setUpWithError() throws {
    try SSHHosts.requireAvailable()
    hosts = try SSHHosts()
    scratch = try ScratchDirectory("node-certs")
    // Staged in the harness directory, which every host sees (their /tmp is their own).
    let stage = hosts.directory + "/stage"
    let tree = try KubeadmTree(in: stage)
    for name in ["node1", "node2", "node3"] {
      try onHost(
        """
        set -e
        mkdir -p /etc/kubernetes
        cp -a '\(tree.pkiDirectory)' /etc/kubernetes/pki
        echo '\(name)' > /etc/kubernetes/pki/node-name
        chown \(SSHHosts.sudoUser):\(SSHHosts.sudoUser) /etc/kubernetes/pki/front-proxy-client.key
        chmod 0600 /etc/kubernetes/pki/front-proxy-client.key
        chgrp \(SSHHosts.plainUser) /etc/kubernetes/pki/sa.pub && chmod 0640 /etc/kubernetes/pki/sa.pub
        chmod 0750 /etc/kubernetes/pki/etcd
        ln -s apiserver.crt /etc/kubernetes/pki/current.crt
        """, name)
    }
    // kubespray's etcd layout on node1 only; an extra trusted CA on node3 only.
    try onHost(
      """
      set -e
      mkdir -p /etc/ssl/etcd/ssl && cd /etc/ssl/etcd/ssl
      cp /etc/kubernetes/pki/etcd/ca.crt ca.pem && cp /etc/kubernetes/pki/etcd/ca.key ca-key.pem
      cp /etc/kubernetes/pki/etcd/server.crt member-node1.pem && cp /etc/kubernetes/pki/etcd/server.key member-node1-key.pem
      chmod 0700 /etc/ssl/etcd/ssl && chmod 0600 ca-key.pem member-node1-key.pem
      """, "node1")
    try onHost("cp /etc/kubernetes/pki/ca.crt /usr/local/share/ca-certificates/corp-root.crt", "node3")
  }

  override func tearDown() {
    hosts?.stopAll()
    hosts = nil
  }

  @discardableResult
  private func onHost(_ shell: String, _ name: String) throws -> String {
    let result = try hosts.run(shell, on: name)
    XCTAssertEqual(result.status, 0, "on \(name): \(shell)\n\(result.stderr)")
    return result.stdout
  }

  private func inventory() throws -> String {
    try scratch.write("hosts.ini", hosts.inventoryINI(groups: ["kube_control_plane": ["node1", "node2", "node3"]]))
  }

  private func apply(_ runbook: String, _ params: [String], runID: String) throws -> CommandLineTool.Result {
    try scratch.runbook(
      ["apply", Repository.path("runbooks/\(runbook).yaml"), "-i", inventory(), "--yes", "--run-id", runID, "--state-dir", scratch.path + "/state"]
        + params.flatMap { ["-p", $0] })
  }

  private func save(_ params: [String] = ["hosts=all"], runID: String = "save") throws -> CommandLineTool.Result {
    try apply("node-certs-save", ["dest=" + saved] + params, runID: runID)
  }

  private func restore(_ params: [String], runID: String) throws -> CommandLineTool.Result {
    try apply("node-certs-restore", ["archive_dir=" + saved] + params, runID: runID)
  }

  private func manifest(_ host: String) throws -> [String: Any] {
    let data = try XCTUnwrap(FileManager.default.contents(atPath: "\(saved)/\(host).tar.manifest.json"))
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  private func entry(_ manifest: [String: Any], _ path: String) -> [String: Any]? {
    (manifest["entries"] as? [[String: Any]])?.first { $0["path"] as? String == path }
  }

  func testEveryHostIsSavedAndAWipedHostIsRestoredByteForByteWithModesAndOwners() throws {
    let before = try onHost(Self.listing, "node2")
    let result = try save()
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)

    var status = stat()
    XCTAssertEqual(lstat(saved, &status), 0)
    XCTAssertEqual(status.st_mode & 0o777, 0o700, "dest is made 0700: it holds private keys")
    for name in ["node1", "node2", "node3"] {
      let archive = "\(saved)/\(name).tar"
      XCTAssertEqual(lstat(archive, &status), 0, "\(name).tar")
      XCTAssertEqual(status.st_mode & 0o777, 0o600)
      let manifest = try manifest(name)
      XCTAssertEqual(manifest["source"] as? String, name)
      XCTAssertEqual(manifest["sha256"] as? String, try TimedCommand.run(["sha256sum", archive]).stdout.prefix(64).description)
      XCTAssertEqual(entry(manifest, "/etc/kubernetes/pki/node-name")?["sha256"] as? String, sha256(of: name + "\n"))
      let key = try XCTUnwrap(entry(manifest, "/etc/kubernetes/pki/front-proxy-client.key"))
      XCTAssertEqual(key["mode"] as? String, "0600")
      XCTAssertEqual(key["owner"] as? String, SSHHosts.sudoUser)
      XCTAssertEqual(key["group"] as? String, SSHHosts.sudoUser)
      XCTAssertEqual(entry(manifest, "/etc/kubernetes/pki/sa.pub")?["group"] as? String, SSHHosts.plainUser)
      XCTAssertEqual(entry(manifest, "/etc/kubernetes/pki/current.crt")?["link"] as? String, "apiserver.crt")
      XCTAssertNotNil(entry(manifest, "/etc/kubernetes/pki/apiserver.crt")?["not_after"] as? String)
      XCTAssertEqual((manifest["missing"] as? [String])?.contains("/etc/kubernetes/ssl"), true)
      // The system's tar reads it, with owners.
      let listed = try TimedCommand.run(["tar", "-tvf", archive]).stdout
      XCTAssertTrue(listed.contains("\(SSHHosts.sudoUser)/\(SSHHosts.sudoUser)") && listed.contains("etc/kubernetes/pki/front-proxy-client.key"), listed)
      let expiry = scratch.read("saved/\(name).expiry.txt")
      XCTAssertTrue(expiry.hasPrefix("CERTIFICATE"), expiry)
      XCTAssertTrue(expiry.contains("/etc/kubernetes/pki/apiserver.crt") && expiry.contains("/etc/kubernetes/pki/etcd/ca.crt"), expiry)
    }
    XCTAssertNotNil(entry(try manifest("node1"), "/etc/ssl/etcd/ssl/member-node1-key.pem"))
    XCTAssertNil(entry(try manifest("node2"), "/etc/ssl/etcd/ssl"))
    XCTAssertTrue(scratch.read("saved/node3.expiry.txt").contains("/usr/local/share/ca-certificates/corp-root.crt"))

    // The bytes never reached the journal nor the terminal.
    let archived = try XCTUnwrap(FileManager.default.contents(atPath: saved + "/node2.tar")).base64EncodedString()
    let sample = String(archived.dropFirst(4096).prefix(120))
    let key = try onHost("sed -n 2p /etc/kubernetes/pki/ca.key", "node2").trimmingCharacters(in: .whitespacesAndNewlines)
    let shown = try scratch.runbook(["show", "save", "--state-dir", scratch.path + "/state"])
    for text in [result.stdout, result.stderr, shown.stdout] {
      XCTAssertFalse(text.contains(sample) || text.contains(key), "archive bytes shown")
    }
    let journal = scratch.allFiles(under: "state").map { String(decoding: $0.1, as: UTF8.self) }.joined()
    XCTAssertFalse(journal.contains(sample) || journal.contains(key), "archive bytes journaled")

    // The CA directory is a mount point of the harness, so it stays, empty.
    try onHost("rm -rf /etc/kubernetes/pki /usr/local/share/ca-certificates/* && touch /usr/local/share/ca-certificates", "node2")
    let wiped = try onHost(Self.listing, "node2")
    XCTAssertFalse(wiped.contains("etc/kubernetes/pki"), wiped)
    XCTAssertNotEqual(wiped, before)
    let restored = try restore(["host=node2"], runID: "restore")
    XCTAssertEqual(restored.status, 0, restored.stdout + restored.stderr)
    XCTAssertEqual(try onHost(Self.listing, "node2"), before, "byte for byte, with modes, owners and times")
    XCTAssertEqual(try onHost(Self.listing, "node1").contains("etc/kubernetes/pki/node-name file 644 root:root"), true, "node1 untouched")

    // Again: nothing to do, and it says so.
    let again = try restore(["host=node2"], runID: "restore-again")
    XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
    XCTAssertTrue(again.stdout.contains(": 0 written,"), again.stdout)
    XCTAssertEqual(try onHost(Self.listing, "node2"), before)
  }

  func testATamperedArchiveIsRefusedAndNothingIsWrittenOnTheHost() throws {
    // An archive over max_bytes fails clearly, and leaves no file.
    let tooBig = try save(["hosts=node3", "max_bytes=4096"], runID: "too-big")
    XCTAssertEqual(tooBig.status, 1, tooBig.stdout + tooBig.stderr)
    XCTAssertTrue(tooBig.stdout.contains("over max_bytes 4096"), tooBig.stdout)
    XCTAssertFalse(scratch.exists("saved/node3.tar"))

    let result = try save(["hosts=node2"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertFalse(scratch.exists("saved/node1.tar"), "only node2 was saved")
    try onHost("rm -rf /etc/kubernetes/pki", "node2")

    // One byte of ca.key changed inside the archive.
    let path = saved + "/node2.tar"
    var bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
    let marker = Array("PRIVATE KEY-----\n".utf8)
    let at = try XCTUnwrap((0..<(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker }) + marker.count + 10
    bytes[at] = bytes[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    try Data(bytes).write(to: URL(fileURLWithPath: path))

    let refused = try restore(["host=node2"], runID: "tampered")
    XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stdout.contains("refusing \(path): its sha256 is"), refused.stdout)
    XCTAssertTrue(refused.stdout.contains("nothing was sent to the host"), refused.stdout)
    XCTAssertEqual(try onHost("ls -A /etc/kubernetes", "node2"), "", "nothing was written on node2")

    // A manifest rewritten to the tampered archive's sha256 does not help: the member differs.
    let manifestPath = path + ".manifest.json"
    let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
    let oldSHA = try XCTUnwrap(try self.manifest("node2")["sha256"] as? String)
    let newSHA = String(try TimedCommand.run(["sha256sum", path]).stdout.prefix(64))
    try manifest.replacingOccurrences(of: oldSHA, with: newSHA).write(toFile: manifestPath, atomically: true, encoding: .utf8)
    let still = try restore(["host=node2"], runID: "tampered-manifest")
    XCTAssertEqual(still.status, 1, still.stdout + still.stderr)
    XCTAssertTrue(still.stdout.contains("its member /etc/kubernetes/pki/") && still.stdout.contains("has sha256"), still.stdout)
    XCTAssertEqual(try onHost("ls -A /etc/kubernetes", "node2"), "")
  }

  func testTheRestoreVerifyCatchesAKeyThatIsNotItsCertificateAndALeafAnotherCASigned() throws {
    try onHost("cp /etc/kubernetes/pki/front-proxy-client.key /etc/kubernetes/pki/apiserver.key", "node3")
    // An etcd member certificate the kubernetes CA signed, with its own key: the key matches,
    // the chain to etcd's ca.pem does not.
    try onHost(
      "cp /etc/kubernetes/pki/apiserver.crt /etc/ssl/etcd/ssl/member-node1.pem && cp /etc/kubernetes/pki/apiserver.key /etc/ssl/etcd/ssl/member-node1-key.pem",
      "node1")
    let result = try save(["hosts=node1,node3"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)

    let mismatched = try restore(["host=node3"], runID: "mismatched")
    XCTAssertEqual(mismatched.status, 1, mismatched.stdout + mismatched.stderr)
    XCTAssertTrue(mismatched.stdout.contains("verify failed: keys that are not their certificate's: /etc/kubernetes/pki/apiserver.crt"), mismatched.stdout)

    let unchained = try restore(["host=node1"], runID: "unchained")
    XCTAssertEqual(unchained.status, 1, unchained.stdout + unchained.stderr)
    XCTAssertTrue(unchained.stdout.contains("not signed by ca.pem: [/etc/ssl/etcd/ssl/member-node1.pem]"), unchained.stdout)
  }

  private func sha256(of text: String) -> String {
    let file = scratch.path + "/sha-input"
    try? text.write(toFile: file, atomically: true, encoding: .utf8)
    return (try? TimedCommand.run(["sha256sum", file]).stdout.prefix(64).description) ?? ""
  }
}
