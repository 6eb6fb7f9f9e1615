import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §6 against the real binary, with a second uid: the state directory and journal are
/// trusted only when they are the current user's and nobody else can write them, and the
/// journal is never opened through a symlink.
final class StateDirectoryTrustTests: XCTestCase {
  static let otherUID: uid_t = 4242
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try XCTSkipUnless(geteuid() == 0, "a second uid needs root")
    scratch = try ScratchDirectory("state-trust")
    try scratch.write("pause.yaml", """
      runbook: 1
      name: pause
      steps:
        - id: prune
          approval: Prune?
          action: shell
          with: { run: "echo pruned > pruned" }
      """)
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: scratch.path)
  }

  func testAnotherUsersRunCannotBeResumedByRoot() throws {
    let state = scratch.path + "/state"
    XCTAssertEqual(try runbook(["apply", "pause.yaml", "--yes", "--run-id", "chg-42", "--state-dir", state]).status, 4)
    // The state directory is handed to a group another user is in: they could swap the run.
    XCTAssertEqual(chown(state, 0, gid_t(Self.otherUID)), 0)
    XCTAssertEqual(chmod(state, 0o770), 0)
    let resumed = try runbook(["resume", "chg-42", "--approve", "prune", "--state-dir", state])
    XCTAssertEqual(resumed.status, 2)
    XCTAssertEqual(resumed.stderr, "error: cannot open the state directory \(state): \(state) is writable by others (mode 770); check that its journal is yours, then chmod 700 \(state)\n")
    XCTAssertFalse(scratch.exists("pruned"))
    XCTAssertEqual(chmod(state, 0o700), 0, "not chmod'ed back by the tool")

    // Another user's own state directory is not root's.
    XCTAssertEqual(chown(state, Self.otherUID, gid_t(Self.otherUID)), 0)
    let foreign = try runbook(["resume", "chg-42", "--approve", "prune", "--state-dir", state])
    XCTAssertEqual(foreign.status, 2)
    XCTAssertTrue(foreign.stderr.contains("is owned by uid 4242, not by you (uid 0)"), foreign.stderr)
    XCTAssertFalse(scratch.exists("pruned"))
  }

  func testAJournalFileOfAnotherUserOrASymlinkIsRefused() throws {
    let state = scratch.path + "/state"
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let target = scratch.path + "/elsewhere"
    try FileManager.default.createSymbolicLink(atPath: state + "/journal.sqlite", withDestinationPath: target)
    let linked = try runbook(["runs", "--state-dir", state])
    XCTAssertEqual(linked.status, 2)
    XCTAssertTrue(linked.stderr.contains("journal.sqlite is a symlink; the journal is opened only as a regular file"), linked.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: target), "root created a file where the link pointed")

    try FileManager.default.removeItem(atPath: state + "/journal.sqlite")
    XCTAssertEqual(try runbook(["runs", "--state-dir", state]).status, 0)
    XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/journal.sqlite"), "a lookup creates no journal")
    XCTAssertEqual(try runbook(["apply", "pause.yaml", "--yes", "--state-dir", state]).status, 4)
    XCTAssertEqual(chown(state + "/journal.sqlite", Self.otherUID, gid_t(Self.otherUID)), 0)
    let foreign = try runbook(["runs", "--state-dir", state])
    XCTAssertEqual(foreign.status, 2)
    XCTAssertTrue(foreign.stderr.contains("journal.sqlite is owned by uid 4242, not by you (uid 0): it is not your journal"), foreign.stderr)
  }

  func testAStateDirectoryUnderAnotherUsersDirectoryIsRefused() throws {
    let parent = scratch.path + "/theirs"
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    XCTAssertEqual(chown(parent, Self.otherUID, gid_t(Self.otherUID)), 0)
    let lookup = try runbook(["runs", "--state-dir", parent + "/state"])
    XCTAssertEqual(lookup.status, 0, "nothing is there to look up")
    XCTAssertFalse(FileManager.default.fileExists(atPath: parent + "/state"), "a lookup creates nothing")
    let result = try runbook(["apply", "pause.yaml", "--yes", "--state-dir", parent + "/state"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("\(parent), above the state directory, is owned by uid 4242: that user can replace the journal"), result.stderr)
  }
}
