import Foundation
import RunbookTestSupport
import XCTest

/// `runbook hosts`: every fixture inventory read as `ansible-inventory` reads it, the table, host
/// patterns, `RUNBOOK_INVENTORY`, and every bad inventory's exact diagnostics.
final class HostsCommandTests: XCTestCase {
  static let fixtures = "Tests/RunbookCLITests/Fixtures/inventories"

  /// The inventories compared with Ansible: each a list of `-i` files, in the fixtures or `examples/`.
  static let oracleCases: [[String]] = [
    ["kubespray/hosts.yaml"], ["kubespray/inventory.ini"], ["vars/hosts.ini"], ["quirks/quirks.ini"], ["quirks/quirks.yml"],
    ["multi/base.ini", "multi/override.yml"], ["kubespray/inventory.ini", "quirks/quirks.yml"], ["examples/inventory/hosts.yaml"],
  ]

  /// The parsed JSON without Ansible 2.19's `_meta.profile`, which says how it encoded the output.
  private func parsed(_ text: String, _ label: String) throws -> NSDictionary {
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], label)
    var copy = object
    if var meta = copy["_meta"] as? [String: Any] {
      meta.removeValue(forKey: "profile")
      copy["_meta"] = meta
    }
    return copy as NSDictionary
  }

  func testEveryFixtureInventoryReadsAsAnsibleInventoryReadsIt() throws {
    try AnsibleInventory.requireInstalled()
    for files in Self.oracleCases {
      let paths = files.map { Repository.path($0.hasPrefix("examples/") ? $0 : "\(Self.fixtures)/\($0)") }
      let label = files.joined(separator: " + ")
      let ours = try CommandLineTool.run(["hosts", "--format", "json"] + paths.flatMap { ["-i", $0] })
      XCTAssertEqual(ours.status, 0, "\(label): \(ours.stderr)")
      XCTAssertEqual(ours.stderr, "", label)
      let theirs = try AnsibleInventory.list(paths)
      let (a, b) = (try parsed(ours.stdout, label), try parsed(theirs, label))
      XCTAssertEqual(a, b, "\(label) differs from ansible-inventory:\n--- runbook ---\n\(ours.stdout)\n--- ansible-inventory ---\n\(theirs)")
    }
  }

  func testKubesprayTableShowsHowEachHostIsReached() throws {
    let result = try CommandLineTool.run(["hosts", "-i", "\(Self.fixtures)/kubespray/hosts.yaml"])
    XCTAssertEqual(result.status, 0, result.stderr)
    assertSnapshot(result.stdout, named: "hosts-kubespray-text")
  }

  func testAPatternSelectsGroupsAndHostsInOrderOfFirstAppearance() throws {
    let inventory = "\(Self.fixtures)/kubespray/inventory.ini"
    let result = try CommandLineTool.run(["hosts", "-i", inventory, "etcd:node5,kube_node", "--format", "json"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let json = try parsed(result.stdout, "pattern")
    let hostvars = try XCTUnwrap((json["_meta"] as? [String: Any])?["hostvars"] as? [String: Any])
    XCTAssertEqual(Set(hostvars.keys), ["node1", "node2", "node3", "node4", "node5"])
    let text = try CommandLineTool.run(["hosts", "-i", inventory, "node5,etcd"])
    XCTAssertEqual(text.stdout.split(separator: "\n").dropFirst().prefix(4).map { String($0.prefix(5)) }, ["node5", "node1", "node2", "node3"])
  }

  func testAnUnknownPatternNamesItAndSuggests() throws {
    let result = try CommandLineTool.run(["hosts", "-i", "\(Self.fixtures)/kubespray/hosts.yaml", "etcd,kube_nodes"])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(result.stdout, "")
    XCTAssertEqual(result.stderr, "error[H714]: no host or group 'kube_nodes' in the inventory\n  note: did you mean 'kube_node'?\n1 error\n")
  }

  func testTheInventoryComesFromTheEnvironmentWithoutDashI() throws {
    let files = ["multi/base.ini", "multi/override.yml"].map { Repository.path("\(Self.fixtures)/\($0)") }
    let fromEnvironment = try CommandLineTool.run(["hosts", "--format", "json"], environment: ["RUNBOOK_INVENTORY": files.joined(separator: ",")])
    let fromOptions = try CommandLineTool.run(["hosts", "--format", "json", "-i", files[0], "-i", files[1]])
    XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
    XCTAssertEqual(fromEnvironment.stdout, fromOptions.stdout)
    let none = try CommandLineTool.run(["hosts"], environment: ["RUNBOOK_INVENTORY": ""])
    XCTAssertEqual(none.status, 2)
    XCTAssertEqual(none.stderr, "error: no inventory: give one with -i FILE or in $RUNBOOK_INVENTORY\n")
  }

  func testEveryBadInventoryExitsTwoWithItsExactDiagnostics() throws {
    let directory = "\(Self.fixtures)/invalid"
    let files = try FileManager.default.contentsOfDirectory(atPath: Repository.path(directory)).sorted()
    XCTAssertGreaterThanOrEqual(files.count, 6)
    for file in files {
      let result = try CommandLineTool.run(["hosts", "-i", "\(directory)/\(file)"])
      XCTAssertEqual(result.status, 2, "\(file): \(result.stderr)")
      XCTAssertEqual(result.stdout, "", file)
      assertSnapshot(result.stderr, named: "hosts-invalid-" + file.replacingOccurrences(of: ".", with: "-"))
    }
    let vars = try CommandLineTool.run(["hosts", "-i", "\(Self.fixtures)/invalid-vars/hosts.ini", "-i", "no/such/inventory"])
    XCTAssertEqual(vars.status, 2)
    assertSnapshot(vars.stderr, named: "hosts-invalid-vars-files")
  }
}
