import Foundation
import RunbookKit
import XCTest

/// The contract of `StateStore`, stated once: every implementation's test case calls `verify`
/// with a way to make an empty store.
public enum StateStoreContract {
  public static func verify(_ makeStore: () throws -> any StateStore, file: StaticString = #filePath, line: UInt = #line) throws {
    try runsRoundTripAndRefuseDuplicates(try makeStore(), file: file, line: line)
    try stepsUpsertByKeyInFirstSavedOrder(try makeStore(), file: file, line: line)
    try everyTransitionIsJournaled(try makeStore(), file: file, line: line)
    try locksAreExclusiveUntilStaleOrReleased(try makeStore(), file: file, line: line)
    try unknownRunsAreRefused(try makeStore(), file: file, line: line)
  }

  static let started = Date(timeIntervalSince1970: 1_800_000_000.123)

  public static func run(_ id: String, lock: String = "target") -> RunRecord {
    RunRecord(
      id: id, runbookName: "demo", file: "/tmp/demo.yaml", source: "runbook: 1\nname: demo\n", sha256: "abc123",
      params: ["count": .int(3), "names": .array([.string("a"), .string("b")])], fromPlanFile: false, lockName: lock,
      status: .running, startedAt: started, pid: 4242, host: "host-a", workingDirectory: "/srv/ops", secretsGiven: ["token"],
      approvers: [
        PlanApprover(principal: "alice@example.com", fingerprint: "SHA256:2yA9Zn91PdzBEW0zhIug1V8RwnRm4RgPlwNZIFyTNvk", comment: "lgtm ✓", signedAt: "2026-11-22T04:25:58Z"),
        PlanApprover(principal: "bob", fingerprint: "SHA256:IpRlmRu33RNUln6Mnfs0KNs8D3PZ5/gZyjJnypyO7io", comment: nil, signedAt: "2026-11-22T05:00:00Z"),
      ])
  }

  static func runsRoundTripAndRefuseDuplicates(_ store: any StateStore, file: StaticString, line: UInt) throws {
    try store.beginRun(run("r1"))
    try store.beginRun(run("r2"))
    XCTAssertEqual(try store.run("r1"), run("r1"), "a run reads back as written", file: file, line: line)
    XCTAssertEqual(try store.runs().map(\.id), ["r2", "r1"], "runs are listed newest first", file: file, line: line)
    XCTAssertThrowsError(try store.beginRun(run("r1")), file: file, line: line) { error in
      XCTAssertEqual((error as? StateStoreError)?.code, .duplicateRun, file: file, line: line)
    }
    let ended = started.addingTimeInterval(5)
    try store.updateRun("r1", status: .paused, pid: 99, host: "host-b", at: ended)
    let updated = try XCTUnwrap(try store.run("r1"), file: file, line: line)
    XCTAssertEqual(updated.status, .paused, file: file, line: line)
    XCTAssertEqual(updated.pid, 99, file: file, line: line)
    XCTAssertEqual(updated.host, "host-b", file: file, line: line)
    XCTAssertEqual(updated.finishedAt, ended, file: file, line: line)
    try store.updateRun("r1", status: .running, pid: 100, host: "host-b", at: ended)
    XCTAssertNil(try store.run("r1")?.finishedAt, "a running run has no end", file: file, line: line)
    XCTAssertNil(try store.run("missing"), file: file, line: line)
  }

  static func stepsUpsertByKeyInFirstSavedOrder(_ store: any StateStore, file: StaticString, line: UInt) throws {
    try store.beginRun(run("r1"))
    var b = StepRecord(runID: "r1", step: "b", status: .running, attempts: 1, startedAt: started)
    try store.saveStep(b, event: "step.started", at: started)
    let a0 = StepRecord(runID: "r1", step: "a", iteration: 0, item: .string("x"), status: .succeeded, attempts: 1, outputs: ["n": .int(1)])
    try store.saveStep(a0, event: "step.succeeded", at: started)
    b.status = .failed
    b.attempts = 2
    b.finishedAt = started.addingTimeInterval(1)
    b.message = "exit status 1"
    b.outputTail = "line one\nline two"
    b.outputs = ["exit_code": .int(1), "stdout": .string("ünïcode ✓")]
    b.approved = true
    try store.saveStep(b, event: "step.failed", at: started)
    let steps = try store.steps(ofRun: "r1")
    XCTAssertEqual(steps, [b, a0], "one record per step and iteration, kept in first-saved order", file: file, line: line)
    XCTAssertEqual(try store.steps(ofRun: "other"), [], file: file, line: line)
  }

  static func everyTransitionIsJournaled(_ store: any StateStore, file: StaticString, line: UInt) throws {
    try store.beginRun(run("r1"))
    try store.saveStep(StepRecord(runID: "r1", step: "s", status: .running), event: "step.started", at: started)
    try store.saveStep(StepRecord(runID: "r1", step: "s", status: .succeeded), event: "step.succeeded", at: started)
    try store.journal(JournalEvent(runID: "r1", at: started, kind: "lock.taken_over", message: "from r0"))
    try store.updateRun("r1", status: .succeeded, pid: 1, host: "h", at: started)
    let events = try store.events(ofRun: "r1")
    XCTAssertEqual(events.map(\.kind), ["run.started", "step.started", "step.succeeded", "lock.taken_over", "run.succeeded"], file: file, line: line)
    XCTAssertEqual(events.map(\.sequence), events.map(\.sequence).sorted(), "sequence numbers grow", file: file, line: line)
    XCTAssertEqual(Set(events.map(\.sequence)).count, events.count, file: file, line: line)
    XCTAssertEqual(events[3].message, "from r0", file: file, line: line)
  }

  static func locksAreExclusiveUntilStaleOrReleased(_ store: any StateStore, file: StaticString, line: UInt) throws {
    let first = LockHolder(name: "etcd", runID: "r1", pid: 10, host: "h", since: started)
    let second = LockHolder(name: "etcd", runID: "r2", pid: 20, host: "h", since: started)
    XCTAssertEqual(try store.acquireLock(first) { _ in false }, .acquired, file: file, line: line)
    XCTAssertEqual(try store.acquireLock(first) { _ in false }, .acquired, "the holder may ask again", file: file, line: line)
    XCTAssertEqual(try store.acquireLock(second) { _ in false }, .heldBy(first), file: file, line: line)
    var sameRunOtherProcess = first
    sameRunOtherProcess.pid = 11
    XCTAssertEqual(try store.acquireLock(sameRunOtherProcess) { _ in false }, .heldBy(first), "the same run in another live process is contention", file: file, line: line)
    XCTAssertEqual(try store.acquireLock(second) { $0 == first }, .tookOver(from: first), file: file, line: line)
    try store.releaseLock("etcd", runID: "r1")
    XCTAssertEqual(try store.acquireLock(first) { _ in false }, .heldBy(second), "releasing a lock one does not hold does nothing", file: file, line: line)
    try store.releaseLock("etcd", runID: "r2")
    XCTAssertEqual(try store.acquireLock(first) { _ in false }, .acquired, file: file, line: line)
    XCTAssertEqual(try store.acquireLock(LockHolder(name: "other", runID: "r2", pid: 20, host: "h", since: started)) { _ in false }, .acquired, "locks are per name", file: file, line: line)

    let identified = LockHolder(name: "pki", runID: "r1", pid: 30, host: "h", since: started, bootID: "b-1", pidNamespace: "pid:[7]", startTime: 123_456)
    XCTAssertEqual(try store.acquireLock(identified) { _ in false }, .acquired, file: file, line: line)
    XCTAssertEqual(try store.locks().map(\.name), ["etcd", "other", "pki"], "locks are listed by name", file: file, line: line)
    XCTAssertEqual(try store.locks().last, identified, "a holder's identity reads back whole", file: file, line: line)
    try store.beginRun(run("r1"))
    let displaced = try store.forceReleaseLock("pki") { JournalEvent(runID: $0.runID, at: started, kind: "lock.released_by_force", message: "by test") }
    XCTAssertEqual(displaced, identified, file: file, line: line)
    XCTAssertEqual(try store.events(ofRun: "r1").last?.kind, "lock.released_by_force", "the forced release is journaled on the holder's run", file: file, line: line)
    XCTAssertNil(try store.forceReleaseLock("pki") { _ in JournalEvent(runID: "r1", at: started, kind: "x") }, file: file, line: line)
    XCTAssertEqual(try store.acquireLock(LockHolder(name: "pki", runID: "r2", pid: 40, host: "h", since: started)) { _ in false }, .acquired, file: file, line: line)
  }

  static func unknownRunsAreRefused(_ store: any StateStore, file: StaticString, line: UInt) throws {
    XCTAssertThrowsError(try store.saveStep(StepRecord(runID: "nope", step: "s", status: .running), event: "step.started", at: started), file: file, line: line) {
      XCTAssertEqual(($0 as? StateStoreError)?.code, .unknownRun, file: file, line: line)
    }
    XCTAssertThrowsError(try store.updateRun("nope", status: .failed, pid: 1, host: "h", at: started), file: file, line: line) {
      XCTAssertEqual(($0 as? StateStoreError)?.code, .unknownRun, file: file, line: line)
    }
  }
}
