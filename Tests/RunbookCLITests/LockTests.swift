import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// Issue 10 §4 against the real binary: `lock:` is evaluated when the run starts and never
/// falls back; a holder is identified by host, boot id, pid namespace, pid and start time; and
/// `runbook unlock --force` releases what cannot be proven gone, journaled.
final class LockTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("locks")
    // Holds its lock until the file `release` appears (at most 30 s).
    for name in ["first", "second"] {
      try scratch.write("\(name).yaml", """
        runbook: 1
        name: \(name)
        lock: etcd-${{ env.CLUSTER }}
        steps:
          - id: hold
            action: shell
            with: { run: "for i in $(seq 1 300); do [ -e release ] && exit 0; sleep 0.1; done; exit 1" }
        """)
    }
  }

  var state: String { scratch.path + "/state" }

  func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: scratch.path, environment: ["RUNBOOK_STATE_DIR": state].merging(environment) { $1 })
  }

  /// Waits (at most 10 s) until some run holds `name`.
  func waitForLock(_ name: String) throws -> LockHolder {
    for _ in 0..<100 {
      if FileManager.default.fileExists(atPath: state + "/journal.sqlite"), let holder = try SQLiteStateStore(path: state + "/journal.sqlite").locks().first(where: { $0.name == name }) {
        return holder
      }
      usleep(100_000)
    }
    throw XCTSkip("no run took lock \(name) within 10 s")
  }

  func testTwoRunbooksDeclaringTheSameLockFromTheEnvironmentExcludeEachOther() throws {
    let first = try CommandLineTool.start(["apply", "first.yaml", "--yes"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": state, "CLUSTER": "prod"])
    defer { _ = try? scratch.write("release", "") }
    let holder = try waitForLock("etcd-prod")
    let plan = try runbook(["plan", "second.yaml"], environment: ["CLUSTER": "prod"])
    XCTAssertTrue(plan.stdout.contains("Lock: etcd-prod\n"), plan.stdout)
    let second = try runbook(["apply", "second.yaml", "--yes"], environment: ["CLUSTER": "prod"])
    XCTAssertEqual(second.status, 5, second.stderr)
    XCTAssertTrue(second.stderr.contains("error: lock 'etcd-prod' is held by run \(holder.runID)"), second.stderr)
    let unset = try runbook(["apply", "second.yaml", "--yes"])
    XCTAssertEqual(unset.status, 2)
    XCTAssertTrue(unset.stderr.contains("lock: ${{ env.CLUSTER }} is not set, so 'etcd-${{ env.CLUSTER }}' names no lock"), unset.stderr)
    XCTAssertTrue(try runbook(["plan", "second.yaml"]).stdout.contains("Lock: (${{ env.CLUSTER }} is not set: apply refuses to start)"))
    try scratch.write("release", "")
    XCTAssertEqual(try first.finish().status, 0)
  }

  func testAHolderInAnotherPidNamespaceIsNotTakenOverAndUnlockForceReleasesIt() throws {
    try XCTSkipUnless(geteuid() == 0, "a pid namespace needs root")
    let launched = try CommandLineTool.start(
      ["-p", "-f", "--mount-proc", CommandLineTool.binary, "apply", "first.yaml", "--yes"], in: scratch.path,
      environment: ["RUNBOOK_STATE_DIR": state, "CLUSTER": "prod"], executable: "/usr/bin/unshare")
    defer { _ = try? scratch.write("release", "") }
    let holder = try waitForLock("etcd-prod")
    XCTAssertEqual(holder.pid, 1, "pid 1 in its own namespace")
    let second = try runbook(["apply", "second.yaml", "--yes"], environment: ["CLUSTER": "prod"])
    XCTAssertEqual(second.status, 5, "a live holder in another pid namespace is not taken over: \(second.stdout)")
    let listed = try runbook(["locks"])
    XCTAssertTrue(listed.stdout.contains("cannot check"), listed.stdout)

    XCTAssertEqual(try runbook(["unlock", "etcd-prod"]).status, 2, "--force is required")
    let unlocked = try runbook(["unlock", "etcd-prod", "--force"])
    XCTAssertEqual(unlocked.status, 0, unlocked.stderr)
    XCTAssertTrue(unlocked.stdout.hasPrefix("released lock 'etcd-prod', held by run \(holder.runID) (pid 1 on "), unlocked.stdout)
    let events = try SQLiteStateStore(path: state + "/journal.sqlite").events(ofRun: holder.runID)
    let forced = try XCTUnwrap(events.first { $0.kind == "lock.released_by_force" })
    XCTAssertTrue(forced.message?.contains("released by force by root@") == true, "\(forced)")
    XCTAssertTrue(forced.message?.contains("it was held by run \(holder.runID) (pid 1 on ") == true, "\(forced)")
    XCTAssertEqual(try runbook(["unlock", "etcd-prod", "--force"]).status, 2, "nothing is held any more")
    try scratch.write("release", "")
    _ = try launched.finish()
  }

  func testAReusedPidIsStaleAndTheTakeoverIsJournaled() throws {
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let store = try SQLiteStateStore(path: state + "/journal.sqlite")
    // This test's own pid is alive, but it started at another time than the holder that wrote the row.
    var reused = LockHolder.current(name: "etcd-prod", runID: "old", host: ProcessInfo.processInfo.hostName)
    reused.startTime += 1
    XCTAssertEqual(try store.acquireLock(reused) { _ in false }, .acquired)
    try scratch.write("release", "")
    let applied = try runbook(["apply", "second.yaml", "--yes"], environment: ["CLUSTER": "prod"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertTrue(applied.stdout.contains("took over lock 'etcd-prod' from run old (pid \(getpid())"), applied.stdout)

    // The same pid with its real start time is alive: held.
    let live = LockHolder.current(name: "etcd-prod", runID: "live", host: ProcessInfo.processInfo.hostName)
    XCTAssertEqual(try store.acquireLock(live) { _ in false }, .acquired)
    XCTAssertEqual(try runbook(["apply", "second.yaml", "--yes"], environment: ["CLUSTER": "prod"]).status, 5)
  }
}
