import Foundation
import RunbookTestSupport
import XCTest

/// `runbook actions`, `describe`, `list` and `schema`.
final class CatalogueCommandTests: XCTestCase {
  func testActionsListAndDetail() throws {
    let list = try CommandLineTool.run(["actions"])
    XCTAssertEqual(list.status, 0)
    assertSnapshot(list.stdout, named: "actions-list")
    let exec = try CommandLineTool.run(["actions", "exec"])
    assertSnapshot(exec.stdout, named: "actions-exec")
    let json = try CommandLineTool.run(["actions", "file.stat", "--format", "json"])
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(object["effect"] as? String, "read-only")
    XCTAssertEqual((object["outputs"] as? [[String: Any]])?.map { $0["name"] as? String }, ["exists", "type", "size", "mode", "sha256"])
    let unknown = try CommandLineTool.run(["actions", "exce"])
    XCTAssertEqual(unknown.status, 2)
    XCTAssertTrue(unknown.stderr.contains("did you mean 'exec'?"), unknown.stderr)
  }

  func testDescribeShowsParamsAndSteps() throws {
    let result = try CommandLineTool.run(["describe", "parallel-dag"])
    XCTAssertEqual(result.status, 0, result.stderr)
    assertSnapshot(result.stdout, named: "describe-parallel-dag")
  }

  func testCommittedSchemaIsTheGeneratedOne() throws {
    let generated = try CommandLineTool.run(["schema"])
    XCTAssertEqual(generated.status, 0)
    let committed = try String(contentsOfFile: Repository.path("schemas/runbook.schema.json"), encoding: .utf8)
    XCTAssertEqual(generated.stdout, committed, "schemas/runbook.schema.json is stale: run `runbook schema > schemas/runbook.schema.json`")
  }
}
