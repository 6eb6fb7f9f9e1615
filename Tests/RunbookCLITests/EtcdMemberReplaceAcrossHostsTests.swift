import Foundation
import RunbookTestSupport
import XCTest

/// The shipped etcd-member-replace runbook across hosts: a real etcd member on each of three
/// real OpenSSH hosts (the `SSHHosts` harness); node3's member is killed and its data lost, and
/// the runbook replaces it with etcdctl run on node1, the new member prepared and started on
/// node3, and health checked from every host.
final class EtcdMemberReplaceAcrossHostsTests: XCTestCase {
  private var hosts: SSHHosts!
  private var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try EtcdCluster.requireInstalled()
    try SSHHosts.requireAvailable()
    hosts = try SSHHosts()
    scratch = try ScratchDirectory("replace-hosts")
  }

  override func tearDown() {
    hosts?.stopAll()
    hosts = nil
  }

  private let names = ["node1": "m1", "node2": "m2", "node3": "m3"]

  private func clientURL(_ node: String) -> String { "http://\(hosts.host(node).address):2379" }
  private func peerURL(_ node: String) -> String { "http://\(hosts.host(node).address):2380" }

  /// What starts etcd on `node` in the background, its listeners set; with `initial`, the
  /// flags of a new cluster (else ETCD_* from the environment say how it joins).
  private func startCommand(_ node: String, initial: String? = nil) -> String {
    var flags = "--data-dir /var/lib/etcd/data --listen-client-urls \(clientURL(node)) --advertise-client-urls \(clientURL(node)) --listen-peer-urls \(peerURL(node))"
    if let initial {
      flags += " --name \(names[node]!) --initial-advertise-peer-urls \(peerURL(node)) --initial-cluster \(initial) --initial-cluster-state new --initial-cluster-token across-hosts"
    }
    return "mkdir -p /var/lib/etcd && setsid etcd \(flags) >>/var/lib/etcd/log 2>&1 </dev/null & echo $! >/var/lib/etcd/pid"
  }

  private func etcdctl(_ arguments: [String], endpoints: [String]) throws -> TimedCommand.Result {
    try TimedCommand.run(["env", "ETCDCTL_API=3", "etcdctl", "--dial-timeout=2s", "--command-timeout=5s", "--endpoints", endpoints.joined(separator: ",")] + arguments, timeout: 20)
  }

  private func waitUntilHealthy(_ nodes: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let deadline = Date().addingTimeInterval(30)
    var last: TimedCommand.Result?
    while Date() < deadline {
      last = try etcdctl(["endpoint", "health"], endpoints: nodes.map(clientURL))
      if last?.status == 0 { return }
      usleep(200_000)
    }
    XCTFail("etcd on \(nodes) not healthy within 30 s: \(last?.stderr ?? "")", file: file, line: line)
  }

  func testAFailedMemberOnAHostIsReplacedThroughAnotherHost() throws {
    let nodes = ["node1", "node2", "node3"]
    let initial = nodes.map { "\(names[$0]!)=\(peerURL($0))" }.joined(separator: ",")
    for node in nodes { XCTAssertEqual(try hosts.run(startCommand(node, initial: initial), on: node).status, 0) }
    try waitUntilHealthy(nodes)
    for n in 0..<20 { XCTAssertEqual(try etcdctl(["put", "key/\(n)", "value \(n)"], endpoints: [clientURL("node1")]).status, 0) }
    let oldList = try etcdctl(["member", "list"], endpoints: [clientURL("node1")]).stdout
    let oldID = try XCTUnwrap(oldList.split(separator: "\n").first { $0.contains(", m3, ") }?.prefix { $0 != "," })

    // node3 loses its member: killed, and its data gone.
    XCTAssertEqual(try hosts.run("kill -9 $(cat /var/lib/etcd/pid) && rm -rf /var/lib/etcd/data", on: "node3").status, 0)

    let inventory = try scratch.write("hosts.ini", hosts.inventoryINI(groups: ["etcd": nodes]))
    let params = [
      "endpoints=" + nodes.map(clientURL).joined(separator: ","), "cacert=", "cert=", "key=", "command_timeout=2s",
      "member=m3", "new_peer_url=" + peerURL("node3"), "data_dir=/var/lib/etcd/data", "start_command=" + startCommand("node3"),
      "backup_dir=/var/lib/etcd/backups", "env_file=/var/lib/etcd/etcd.env", "via=node1", "new_host=node3", "hosts=etcd",
    ]
    let plan = try scratch.runbook(["plan", Repository.path("runbooks/etcd-member-replace.yaml"), "-i", inventory] + params.flatMap { ["-p", $0] })
    XCTAssertEqual(plan.status, 0, plan.stderr)
    XCTAssertTrue(plan.stdout.contains("on: ${{ params.via }} → node1"), plan.stdout)
    XCTAssertTrue(plan.stdout.contains("on: ${{ params.new_host }} → node3"), plan.stdout)
    XCTAssertTrue(plan.stdout.contains("on: ${{ params.hosts }} → node1, node2, node3"), plan.stdout)

    let result = try scratch.runbook(["apply", Repository.path("runbooks/etcd-member-replace.yaml"), "-i", inventory, "--yes", "--run-id", "across"] + params.flatMap { ["-p", $0] })
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    try waitUntilHealthy(nodes)
    let list = try etcdctl(["member", "list"], endpoints: [clientURL("node1")]).stdout
    XCTAssertEqual(list.split(separator: "\n").count, 3, list)
    XCTAssertFalse(list.contains("unstarted"), list)
    XCTAssertFalse(list.contains(String(oldID) + ","), "the old m3 is gone: \(list)")
    let keys = try etcdctl(["get", "key/", "--prefix", "--keys-only"], endpoints: [clientURL("node3")]).stdout
    XCTAssertEqual(keys.split(separator: "\n").count, 20, "every key is readable from the new member on node3")

    XCTAssertTrue(try hosts.run("cat /var/lib/etcd/etcd.env", on: "node3").stdout.contains("ETCD_INITIAL_CLUSTER_STATE=existing"))
    XCTAssertEqual(try hosts.run("test -e /var/lib/etcd/etcd.env && echo written", on: "node1").stdout, "", "the env file is the new member's only")
    XCTAssertTrue(try hosts.run("ls /var/lib/etcd/backups", on: "node1").stdout.contains("-before-replace.db"), "the snapshot was taken on node1")
    for node in nodes { XCTAssertTrue(result.stdout.contains("verify@\(node)"), "health checked from \(node): \(result.stdout)") }
    let show = try scratch.runbook(["show", "across"])
    XCTAssertTrue(show.stdout.contains("hosts:\nhost "), show.stdout)
  }
}
