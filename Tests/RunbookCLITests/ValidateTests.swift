import Foundation
import RunbookTestSupport
import XCTest

/// `runbook validate` against every bad-input fixture, with the rendered text checked exactly.
final class ValidateTests: XCTestCase {
  func testEveryInvalidFixtureExitsTwoWithItsExactDiagnostics() throws {
    let directory = "Tests/RunbookCLITests/Fixtures/invalid"
    let fixtures = try FileManager.default.contentsOfDirectory(atPath: Repository.path(directory)).sorted()
    XCTAssertGreaterThanOrEqual(fixtures.count, 20)
    for fixture in fixtures {
      let result = try CommandLineTool.run(["validate", "\(directory)/\(fixture)"])
      XCTAssertEqual(result.status, 2, "\(fixture): \(result.stderr)")
      XCTAssertEqual(result.stdout, "", fixture)
      assertSnapshot(result.stderr, named: "validate-" + fixture.replacingOccurrences(of: ".yaml", with: ""))
    }
  }

  func testShippedRunbooksAreValidAndSilent() throws {
    let files = try FileManager.default.subpathsOfDirectory(atPath: Repository.path("runbooks"))
      .filter { $0.hasSuffix(".yaml") }.map { "runbooks/\($0)" }
    XCTAssertFalse(files.isEmpty)
    let result = try CommandLineTool.run(["validate"] + files)
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.stdout, "")
  }

  func testJSONFormatCarriesTheSameDiagnostics() throws {
    let result = try CommandLineTool.run(["validate", "--format", "json", "Tests/RunbookCLITests/Fixtures/invalid/dependencies.yaml"])
    XCTAssertEqual(result.status, 2)
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(json["valid"] as? Bool, false)
    let diagnostics = try XCTUnwrap(json["diagnostics"] as? [[String: Any]])
    XCTAssertEqual(diagnostics.map { $0["code"] as? String }, ["G401", "G402"])
    XCTAssertEqual(diagnostics[0]["line"] as? Int, 7)
    XCTAssertEqual(diagnostics[0]["column"] as? Int, 13)
    XCTAssertEqual(diagnostics[0]["end_column"] as? Int, 19)
    let notes = try XCTUnwrap(diagnostics[0]["notes"] as? [[String: Any]])
    XCTAssertEqual(notes.first?["message"] as? String, "did you mean 'status'?")
  }

  func testAHugeFileIsRefusedBeforeParsing() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).yaml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let line = "# " + String(repeating: "x", count: 1021) + "\n"
    try String(repeating: line, count: 9 * 1024).write(toFile: path, atomically: true, encoding: .utf8)
    let result = try CommandLineTool.run(["validate", path])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("error[Y004]: the file is 9437184 bytes; the limit is 8388608 bytes"), result.stderr)
  }

  func testAMissingFileIsAClearError() throws {
    let result = try CommandLineTool.run(["validate", "no/such/runbook.yaml"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("no/such/runbook.yaml: error[Y015]: cannot read no/such/runbook.yaml"), result.stderr)
  }

  func testUsageErrorsExitTwo() throws {
    XCTAssertEqual(try CommandLineTool.run(["plan"]).status, 2)
    XCTAssertEqual(try CommandLineTool.run(["frobnicate"]).status, 2)
    XCTAssertEqual(try CommandLineTool.run(["plan", "hello", "--format", "pdf"]).status, 2)
    XCTAssertEqual(try CommandLineTool.run(["--help"]).status, 0)
  }
}
