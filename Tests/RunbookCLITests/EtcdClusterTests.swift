import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// The etcd checks against real etcd clusters on loopback, through the shipped runbooks.
final class EtcdClusterTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try EtcdCluster.requireInstalled()
    scratch = try ScratchDirectory("etcd")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state", "RUNBOOK_PATH": Repository.path("runbooks")])
  }

  func plainConnection(_ cluster: EtcdCluster) -> [String] {
    ["-p", "endpoints=" + cluster.endpoints.joined(separator: ","), "-p", "cacert=", "-p", "cert=", "-p", "key=", "-p", "command_timeout=2s"]
  }

  func outputs(_ run: String, _ step: String) throws -> [String: JSONValue] {
    let store = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite")
    return try XCTUnwrap(try store.steps(ofRun: run).first { $0.step == step }).outputs
  }

  func testHealthOfAThreeMemberClusterThenWithOneMemberDown() throws {
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let healthy = try runbook(["apply", "etcd-health", "--yes", "--run-id", "ok"] + plainConnection(cluster))
    XCTAssertEqual(healthy.status, 0, healthy.stdout + healthy.stderr)
    XCTAssertTrue(healthy.stdout.contains("3 voters, 0 learners; quorum 2, tolerates 1 failure(s); 0 unhealthy; alarms: none"), healthy.stdout)
    let report = try outputs("ok", "report")
    XCTAssertEqual(report["voters"], .int(3))
    XCTAssertEqual(report["unhealthy"], .int(0))

    // Member IDs are uint64 and exceed 2^53: they must come out as exact hex.
    let memberList = try XCTUnwrap(JSONValue.parse(Self.quotingIDs(try cluster.etcdctl(["member", "list", "-w", "json"]))))
    guard case .array(let members)? = memberList["members"] else { return XCTFail("no members") }
    let expected = Set(members.compactMap { $0["ID"]?.stringValue.flatMap { UInt64($0) }.map { String($0, radix: 16) } })
    guard case .array(let reported)? = report["members"] else { return XCTFail("no members output") }
    XCTAssertEqual(Set(reported.compactMap { $0["id"]?.stringValue }), expected)
    XCTAssertTrue(members.contains { ($0["ID"]?.stringValue.flatMap { UInt64($0) } ?? 0) > 1 << 53 }, "at least one ID above 2^53 in this cluster")
    let leaderID = try XCTUnwrap(report["leader"]?["id"]?.stringValue)
    guard case .array(let followers)? = report["followers"] else { return XCTFail("no followers") }
    XCTAssertEqual(followers.count, 2)
    XCTAssertFalse(followers.contains { $0["id"]?.stringValue == leaderID })

    let leaderName = try XCTUnwrap(report["leader"]?["name"]?.stringValue)
    let victim = cluster.members.first { $0.name != leaderName }!
    cluster.kill(victim.name)
    let degraded = try runbook(["apply", "etcd-health", "--yes", "--run-id", "down"] + plainConnection(cluster))
    XCTAssertEqual(degraded.status, 3, degraded.stdout + degraded.stderr)
    XCTAssertTrue(degraded.stdout.contains("unhealthy: \(victim.clientURL); alarms: 0"), degraded.stdout)
    let row = try XCTUnwrap(degraded.stdout.split(separator: "\n").first { $0.contains("| \(victim.name) ") }, degraded.stdout)
    XCTAssertFalse(row.contains("follower") || row.contains("leader"), "a member that does not answer has no role: \(row)")
    XCTAssertEqual(try outputs("down", "report")["unhealthy_endpoints"], .array([.string(victim.clientURL)]))
  }

  func testEndpointCheckAndASingleMemberCluster() throws {
    let cluster = try EtcdCluster(size: 1)
    defer { cluster.stop() }
    try scratch.write("endpoint.yaml", """
      runbook: 1
      name: endpoint
      params:
        endpoint: { type: string }
      steps:
        - id: cluster
          action: etcd.cluster
          with: { endpoints: ["${{ params.endpoint }}"], cacert: "", cert: "", key: "" }
        - id: one
          action: etcd.endpoint
          with: { endpoint: "${{ params.endpoint }}", cacert: "", cert: "", key: "" }
      """)
    let result = try runbook(["apply", "endpoint.yaml", "--yes", "--run-id", "e", "-p", "endpoint=" + cluster.endpoints[0]])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertEqual(try outputs("e", "cluster")["single_member"], .bool(true))
    XCTAssertEqual(try outputs("e", "cluster")["fault_tolerance"], .int(0))
    let endpoint = try outputs("e", "one")
    XCTAssertEqual(endpoint["healthy"], .bool(true))
    XCTAssertEqual(endpoint["is_leader"], .bool(true))
    XCTAssertEqual(endpoint["version"], .string("3.4.23"))
  }

  /// Member IDs quoted so that the test reads them exactly, independently of the engine.
  static func quotingIDs(_ text: String) -> String {
    text.replacingOccurrences(of: #"("(?:ID|cluster_id|member_id)":)(\d+)"#, with: "$1\"$2\"", options: .regularExpression)
  }

  func testATLSClusterWithClientCertificates() throws {
    let cluster = try EtcdCluster(size: 3, tls: true)
    defer { cluster.stop() }
    let pki = try XCTUnwrap(cluster.pki)
    let endpoints = "endpoints=" + cluster.endpoints.joined(separator: ",")
    let healthy = try runbook(["apply", "etcd-health", "--yes", "--run-id", "tls", "-p", endpoints, "-p", "cacert=" + pki.caCertificate,
      "-p", "cert=" + pki.clientCertificate, "-p", "key=" + pki.clientKey, "-p", "command_timeout=3s"])
    XCTAssertEqual(healthy.status, 0, healthy.stdout + healthy.stderr)
    XCTAssertTrue(cluster.endpoints.allSatisfy { $0.hasPrefix("https://") })
    XCTAssertEqual(try outputs("tls", "report")["healthy"], .int(3))

    let withoutClientCertificate = try runbook(["apply", "etcd-health", "--yes", "--run-id", "nocert", "-p", endpoints,
      "-p", "cacert=" + pki.caCertificate, "-p", "cert=", "-p", "key=", "-p", "command_timeout=2s"])
    XCTAssertEqual(withoutClientCertificate.status, 1, "the server demands a client certificate: \(withoutClientCertificate.stdout)")
    XCTAssertTrue(withoutClientCertificate.stdout.contains("etcdctl member list failed"), withoutClientCertificate.stdout)
  }
}
