import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §7 against the real binary: a run resumed from another directory runs where it was
/// applied, and says so when its runbook file changed or is gone.
final class ResumePlaceTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("resume-place")
    for directory in ["a", "b"] {
      try FileManager.default.createDirectory(atPath: scratch.path + "/" + directory, withIntermediateDirectories: true)
      try scratch.write("\(directory)/old.yaml", "x")
    }
    try scratch.write("a/clean.yaml", """
      runbook: 1
      name: clean
      steps:
        - id: confirm
          approval: Remove the YAML files here?
          action: shell
          with: { run: "rm -f ./*.yaml.bak" }
        - id: remove
          needs: [confirm]
          action: shell
          with: { run: "rm -f ./old.yaml" }
      """)
  }

  func runbook(_ arguments: [String], in directory: String) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: scratch.path + "/" + directory, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
  }

  func testAResumeFromAnotherDirectoryRunsWhereTheRunWasApplied() throws {
    XCTAssertEqual(try runbook(["apply", "clean.yaml", "--yes", "--run-id", "r1"], in: "a").status, 4)
    let resumed = try runbook(["resume", "r1", "--approve", "confirm"], in: "b")
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertTrue(resumed.stdout.hasPrefix("resuming run r1: clean (was paused) in \(scratch.path)/a\n"), resumed.stdout)
    XCTAssertFalse(scratch.exists("a/old.yaml"), "the step ran in a")
    XCTAssertTrue(scratch.exists("b/old.yaml"), "the step did not run in b")
    let shown = try runbook(["show", "r1"], in: "b")
    XCTAssertTrue(shown.stdout.contains("  file:    \(scratch.path)/a/clean.yaml\n  in:      \(scratch.path)/a\n"), shown.stdout)
  }

  func testAGoneRunbookFileIsNamedAndAGoneDirectoryRefused() throws {
    XCTAssertEqual(try runbook(["apply", "clean.yaml", "--yes", "--run-id", "r2"], in: "a").status, 4)
    try FileManager.default.removeItem(atPath: scratch.path + "/a/clean.yaml")
    let resumed = try runbook(["resume", "r2", "--approve", "confirm"], in: "b")
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertTrue(resumed.stderr.contains("note: \(scratch.path)/a/clean.yaml is gone or unreadable; resuming with the runbook text journaled at apply"), resumed.stderr)

    XCTAssertEqual(try runbook(["apply", scratch.path + "/b/../a/../b/old.yaml", "--yes"], in: "b").status, 2, "not a runbook")
    try scratch.write("a/clean.yaml", "runbook: 1\nname: clean\nsteps:\n  - id: confirm\n    approval: ok?\n    action: noop\n")
    XCTAssertEqual(try runbook(["apply", "clean.yaml", "--yes", "--run-id", "r3"], in: "a").status, 4)
    try FileManager.default.removeItem(atPath: scratch.path + "/a")
    let gone = try runbook(["resume", "r3", "--approve", "confirm"], in: "b")
    XCTAssertEqual(gone.status, 2)
    XCTAssertTrue(gone.stderr.hasPrefix("error: run r3 was applied in \(scratch.path)/a, which is gone"), gone.stderr)
  }
}
