import Foundation
import RunbookTestSupport
import XCTest

/// The SSH test hosts (real OpenSSH servers the harness starts) reached with the system's `ssh`:
/// what the transport's tests rely on them to be.
final class SSHHostsTests: XCTestCase {
  func testEachHostAnswersWithItsOwnHostnameOnItsOwnLoopbackAddress() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    XCTAssertEqual(hosts.hosts.map(\.name), ["node1", "node2", "node3"])
    XCTAssertEqual(Set(hosts.hosts.map(\.address)).count, 3)
    for host in hosts.hosts {
      XCTAssertTrue(host.address.hasPrefix("127.") && !host.address.hasPrefix("127.0."), host.address)
      let answer = try ssh(hosts, host.name, "hostname")
      XCTAssertEqual(answer.status, 0, answer.stderr)
      XCTAssertEqual(answer.stdout, host.name + "\n")
      XCTAssertEqual(try hosts.run("hostname", on: host.name).stdout, host.name + "\n", "nsenter sees the same host")
    }
  }

  func testWhatAHostWritesInItsPrivateDirectoriesOnlyItSees() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let marker = "marker-\(UUID().uuidString.prefix(8))"
    for directory in ["/etc/kubernetes", "/var/lib/etcd", "/tmp", "/root"] {
      let written = try ssh(hosts, "node1", "echo node1 > \(directory)/\(marker) && cat \(directory)/\(marker)")
      XCTAssertEqual(written.stdout, "node1\n", written.stderr)
      XCTAssertEqual(try hosts.run("cat \(directory)/\(marker)", on: "node1").stdout, "node1\n")
      XCTAssertEqual(try ssh(hosts, "node2", "test -e \(directory)/\(marker)").status, 1, "node2 does not see \(directory)")
      XCTAssertEqual(try hosts.run("test -e \(directory)/\(marker)", on: "node3").status, 1, "node3 does not see \(directory)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/\(marker)"), "the machine does not see \(directory)")
    }
    let certificates = try ssh(hosts, "node1", "echo node1 > /etc/ssl/certs/\(marker) && test -s /etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(certificates.status, 0, "node1 sees the machine's certificates and may add its own: \(certificates.stderr)")
    XCTAssertEqual(try hosts.run("test -e /etc/ssl/certs/\(marker)", on: "node2").status, 1)
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/ssl/certs/\(marker)"))
    let tools = try ssh(hosts, "node2", "etcd --version >/dev/null && etcdctl version >/dev/null && openssl version >/dev/null && echo ok")
    XCTAssertEqual(tools.stdout, "ok\n", "a host runs what the machine has: \(tools.stderr)")
  }

  func testTheSudoLoginMaySudoWithoutAPasswordAndThePlainOneIsRefusedAtOnce() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let allowed = try ssh(hosts, "node1", "id -un && sudo -n id -u", user: SSHHosts.sudoUser)
    XCTAssertEqual(allowed.status, 0, allowed.stderr)
    XCTAssertEqual(allowed.stdout, "\(SSHHosts.sudoUser)\n0\n")
    XCTAssertEqual(allowed.stderr, "", "sudo resolves the host's own name")

    let refused = try ssh(hosts, "node1", "id -un && sudo -n true", user: SSHHosts.plainUser)
    XCTAssertFalse(refused.timedOut, "sudo -n does not wait for a password")
    XCTAssertEqual(refused.status, 1)
    XCTAssertEqual(refused.stdout, "\(SSHHosts.plainUser)\n")
    XCTAssertEqual(refused.stderr, "sudo: a password is required\n")
  }

  func testAnUnknownOrChangedHostKeyIsRefused() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let withoutNode3 = try hosts.knownHostsFile(without: ["node3"])
    XCTAssertEqual(try ssh(hosts, "node1", "true", knownHosts: withoutNode3).status, 0)
    let unknown = try ssh(hosts, "node3", "true", knownHosts: withoutNode3)
    XCTAssertEqual(unknown.status, 255)
    XCTAssertTrue(unknown.stderr.contains("Host key verification failed."), unknown.stderr)

    let changed = try ssh(hosts, "node2", "true", knownHosts: try hosts.knownHostsFile(wrongKey: ["node2"]))
    XCTAssertEqual(changed.status, 255)
    XCTAssertTrue(changed.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), changed.stderr)
    XCTAssertTrue(changed.stderr.contains("Host key verification failed."), changed.stderr)
  }

  func testAStoppedHostRefusesConnectionsLeavesNoProcessAndComesBackWithItsFiles() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let left = try ssh(hosts, "node2", "echo kept > /etc/kubernetes/kept; setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $!")
    XCTAssertEqual(left.status, 0, left.stderr)
    let sleeper = try XCTUnwrap(pid_t(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), left.stderr)
    XCTAssertTrue(isAlive(sleeper), "a session left a process running on node2")

    hosts.stop("node2")
    XCTAssertFalse(isAlive(sleeper), "stop killed what the session left")
    let down = try ssh(hosts, "node2", "true")
    XCTAssertEqual(down.status, 255)
    XCTAssertTrue(down.stderr.contains("Connection refused"), down.stderr)
    XCTAssertThrowsError(try hosts.run("true", on: "node2"))
    XCTAssertEqual(try ssh(hosts, "node1", "true").status, 0, "the other hosts are up")

    try hosts.start("node2")
    let back = try ssh(hosts, "node2", "hostname && cat /etc/kubernetes/kept")
    XCTAssertEqual(back.stdout, "node2\nkept\n", back.stderr)
  }

  func testAMultiplexedMasterCarriesLaterCommands() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let master = ["-o", "ControlMaster=auto", "-o", "ControlPath=\(hosts.directory)/cm-%C", "-o", "ControlPersist=30"]
    defer { _ = try? TimedCommand.run(hosts.sshArguments(for: "node1", options: master + ["-O", "exit"])) }
    let first = try TimedCommand.run(hosts.sshArguments(for: "node1", options: master) + ["hostname"])
    XCTAssertEqual(first.stdout, "node1\n", first.stderr)
    let check = try TimedCommand.run(hosts.sshArguments(for: "node1", options: master + ["-O", "check"]))
    XCTAssertEqual(check.status, 0, check.stderr)
    XCTAssertTrue(check.stderr.hasPrefix("Master running"), check.stderr)
    let second = try TimedCommand.run(hosts.sshArguments(for: "node1", options: master) + ["hostname"])
    XCTAssertEqual(second.stdout, "node1\n", second.stderr)
  }

  func testTheInventoryNamesEachHostWithWhatSSHNeeds() throws {
    try SSHHosts.requireAvailable()
    let hosts = try SSHHosts()
    let inventory = hosts.inventoryINI(groups: ["etcd": ["node1", "node2", "node3"], "kube_control_plane": ["node1"]], vars: ["etcd_version": "3.4"])
    let lines = inventory.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertEqual(Array(lines[3...]), ["", "[etcd]", "node1", "node2", "node3", "", "[kube_control_plane]", "node1", "", "[all:vars]", "etcd_version=3.4", ""])
    let node3 = hosts.host("node3")
    let common = "-F /dev/null -o UserKnownHostsFile=\(hosts.knownHosts) -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=5"
    XCTAssertEqual(
      lines[2],
      "node3 ansible_host=\(node3.address) ansible_port=\(node3.port) ansible_user=root ansible_ssh_private_key_file=\(hosts.clientKey) ansible_ssh_common_args='\(common)'")
    // What Ansible would run from those variables.
    let viaInventory = try TimedCommand.run(["sh", "-c", "ssh \(common) -i \(hosts.clientKey) -p \(node3.port) root@\(node3.address) hostname"])
    XCTAssertEqual(viaInventory.stdout, "node3\n", viaInventory.stderr)
  }

  /// Whether `pid` runs: exists and is not a zombie its new parent has yet to reap.
  private func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.range(of: ") ", options: .backwards) else { return false }
    return !stat[end.upperBound...].hasPrefix("Z")
  }

  private func ssh(_ hosts: SSHHosts, _ name: String, _ command: String, user: String = "root", knownHosts: String? = nil) throws -> TimedCommand.Result {
    try TimedCommand.run(hosts.sshArguments(for: name, user: user, knownHosts: knownHosts) + [command])
  }
}
