import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §5 against the real binary, with a second uid: `file.write` and `file.set-env` keep
/// the owner and mode of what they replace, write through a symlink that is yours or root's,
/// refuse a dangling or planted one, and `file.backup` clears what a killed copy left.
final class FileOwnershipTests: XCTestCase {
  static let otherUID: uid_t = 4242
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try XCTSkipUnless(geteuid() == 0, "a second uid needs root")
    scratch = try ScratchDirectory("file-ownership")
    try FileManager.default.createDirectory(atPath: scratch.path + "/etc", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: scratch.path + "/elsewhere", withIntermediateDirectories: true)
  }

  func write(_ path: String, _ content: String = "new\n", action: String = "file.write") throws -> CommandLineTool.Result {
    let with = action == "file.write" ? "{ path: \"\(path)\", content: \"\(content.replacingOccurrences(of: "\n", with: "\\n"))\" }" : "{ path: \"\(path)\", set: { KEY: value } }"
    try scratch.write("w.yaml", "runbook: 1\nname: w\nsteps:\n  - id: w\n    action: \(action)\n    with: \(with)\n")
    return try CommandLineTool.run(["apply", "w.yaml", "--yes"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
  }

  func status(_ path: String, follow: Bool = false) -> stat {
    var info = stat()
    _ = follow ? stat(scratch.path + "/" + path, &info) : lstat(scratch.path + "/" + path, &info)
    return info
  }

  func ownedByTheOtherUser(_ path: String, mode: mode_t) throws {
    try scratch.write(path, "old\n")
    XCTAssertEqual(chown(scratch.path + "/" + path, Self.otherUID, gid_t(Self.otherUID)), 0)
    XCTAssertEqual(chmod(scratch.path + "/" + path, mode), 0)
  }

  func testASymlinkIsWrittenThroughAndTheTargetKeepsItsOwnerAndMode() throws {
    for action in ["file.write", "file.set-env"] {
      try ownedByTheOtherUser("etc/target.conf", mode: 0o640)
      try? FileManager.default.removeItem(atPath: scratch.path + "/etc/link.conf")
      try FileManager.default.createSymbolicLink(atPath: scratch.path + "/etc/link.conf", withDestinationPath: "target.conf")
      let result = try write("etc/link.conf", action: action)
      XCTAssertEqual(result.status, 0, "\(action): \(result.stdout)\(result.stderr)")
      XCTAssertEqual(status("etc/link.conf").st_mode & S_IFMT, S_IFLNK, "\(action): the link is still a link")
      let target = status("etc/target.conf")
      XCTAssertEqual(target.st_mode & 0o7777, 0o640, action)
      XCTAssertEqual(target.st_uid, Self.otherUID, action)
      XCTAssertEqual(target.st_gid, gid_t(Self.otherUID), action)
      XCTAssertEqual(scratch.read("etc/target.conf"), action == "file.write" ? "new\n" : "old\nKEY=value\n", action)
    }
  }

  func testAnotherUsersRegularFileKeepsItsOwnerAndMode() throws {
    try ownedByTheOtherUser("etc/theirs.conf", mode: 0o600)
    XCTAssertEqual(try write("etc/theirs.conf").status, 0)
    XCTAssertEqual(status("etc/theirs.conf").st_uid, Self.otherUID)
    XCTAssertEqual(status("etc/theirs.conf").st_mode & 0o7777, 0o600)
    XCTAssertEqual(scratch.read("etc/theirs.conf"), "new\n")
  }

  func testASymlinkOutOfTheDirectoryIsFollowedWhenItIsOurs() throws {
    try ownedByTheOtherUser("elsewhere/real.conf", mode: 0o644)
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/etc/out.conf", withDestinationPath: scratch.path + "/elsewhere/real.conf")
    XCTAssertEqual(try write("etc/out.conf").status, 0)
    XCTAssertEqual(scratch.read("elsewhere/real.conf"), "new\n")
    XCTAssertEqual(status("elsewhere/real.conf").st_uid, Self.otherUID)
  }

  func testADanglingOrPlantedSymlinkIsRefusedAndNothingIsCreated() throws {
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/etc/dangling.conf", withDestinationPath: scratch.path + "/elsewhere/shadow")
    let dangling = try write("etc/dangling.conf")
    XCTAssertEqual(dangling.status, 1)
    XCTAssertTrue(dangling.stdout.contains("it is a symlink to \(scratch.path)/elsewhere/shadow, which does not exist"), dangling.stdout)
    XCTAssertFalse(scratch.exists("elsewhere/shadow"))

    try ownedByTheOtherUser("elsewhere/victim", mode: 0o600)
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/etc/planted.conf", withDestinationPath: scratch.path + "/elsewhere/victim")
    XCTAssertEqual(lchown(scratch.path + "/etc/planted.conf", Self.otherUID, gid_t(Self.otherUID)), 0)
    let planted = try write("etc/planted.conf")
    XCTAssertEqual(planted.status, 1)
    XCTAssertTrue(planted.stdout.contains("it is a symlink owned by uid 4242, not by you or root; refusing to write through it"), planted.stdout)
    XCTAssertEqual(scratch.read("elsewhere/victim"), "old\n")
  }

  func testAKilledBackupsPartialCopyIsClearedByTheNextBackup() throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/etc/data", withIntermediateDirectories: true)
    try scratch.write("etc/data/a", "a")
    // A pid that has exited: a child already reaped.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    let leftover = "backups/data.20261201-000000.partial-\(child.processIdentifier)"
    try FileManager.default.createDirectory(atPath: scratch.path + "/" + leftover, withIntermediateDirectories: true)
    try scratch.write(leftover + "/a", "half")
    try scratch.write("b.yaml", "runbook: 1\nname: b\nsteps:\n  - id: b\n    action: file.backup\n    with: { path: etc/data, dest_dir: backups }\n")
    let result = try CommandLineTool.run(["apply", "b.yaml", "--yes"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertFalse(scratch.exists(leftover), "the partial copy of a dead writer is gone")
    let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/backups")
    XCTAssertEqual(entries.count, 1, "\(entries)")
    XCTAssertEqual(scratch.read("backups/\(entries[0])/a"), "a")
  }
}
