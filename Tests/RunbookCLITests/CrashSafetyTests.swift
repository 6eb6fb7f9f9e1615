import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// Kills the engine with SIGKILL at random moments, resumes each time, and checks that the run
/// completes, every step ran, no step that is not idempotent ran twice, and the journal is sound.
final class CrashSafetyTests: XCTestCase {
  func testRepeatedSIGKILLNeverRunsANonIdempotentStepTwice() throws {
    let scratch = try ScratchDirectory("crash")
    try scratch.write("crash.yaml", Self.runbook(steps: 32))
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state"]
    let journal = scratch.path + "/state/journal.sqlite"
    var random = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["RUNBOOK_CRASH_SEED"] ?? "") ?? 20261122)
    var kills = 0
    var inDoubt: [String] = []
    var instructions: [String] = []
    var rounds = 0
    while true {
      rounds += 1
      XCTAssertLessThan(rounds, 200, "the run never completed")
      if rounds >= 200 { return }
      let exists = FileManager.default.fileExists(atPath: journal) && (try? SQLiteStateStore(path: journal).run("crash")) != nil
      let arguments = exists ? ["resume", "crash"] + instructions : ["apply", "crash.yaml", "--yes", "--run-id", "crash"]
      instructions = []
      let launched = try CommandLineTool.start(arguments, in: scratch.path, environment: environment)
      if kills < 20 {
        usleep(UInt32(20_000 + random.next() % 400_000))
        launched.signal(SIGKILL)
      }
      let result = try launched.finish()
      if result.status == 128 + SIGKILL {
        kills += 1
        if FileManager.default.fileExists(atPath: journal) {
          XCTAssertEqual(try SQLiteStateStore(path: journal).integrityCheck(), "ok", "after kill \(kills)")
        }
        continue
      }
      switch result.status {
      case 0:
        break
      case 3:
        // An in-doubt step that is not idempotent: look at the ledger, as an operator would.
        let step = try XCTUnwrap(Self.inDoubtStep(result.stdout), result.stdout)
        inDoubt.append(step)
        let name = String(step.prefix { $0 != "[" })
        instructions = scratch.read("ledger").contains("once-\(Self.ledgerKey(step))\n") ? ["--mark-done", name] : ["--retry", name]
        continue
      default:
        XCTFail("unexpected exit \(result.status): \(result.stdout)\(result.stderr)")
        return
      }
      break
    }
    XCTAssertEqual(kills, 20)
    let store = try SQLiteStateStore(path: journal)
    XCTAssertEqual(try store.run("crash")?.status, .succeeded)
    XCTAssertEqual(try store.integrityCheck(), "ok")
    let lines = scratch.read("ledger").split(separator: "\n").map(String.init)
    for n in 0..<32 {
      let expected = n % 2 == 0 ? "idem-s\(n)" : "once-s\(n)"
      let count = lines.filter { $0 == expected }.count
      if n % 2 == 0 {
        XCTAssertGreaterThanOrEqual(count, 1, "\(expected) ran")
      } else {
        XCTAssertEqual(count, 1, "\(expected) ran exactly once")
      }
    }
    for item in ["a", "b", "c", "d"] {
      XCTAssertEqual(lines.filter { $0 == "once-each-\(item)" }.count, 1, "iteration \(item) ran exactly once")
    }
    let events = try store.events(ofRun: "crash")
    XCTAssertTrue(events.contains { $0.kind == "lock.taken_over" }, "a stale lock was taken over and journaled")
    if ProcessInfo.processInfo.environment["RUNBOOK_CRASH_DEBUG"] != nil {
      for event in events where event.step == "each" { print("  \(event.sequence) \(event.kind) [\(event.iteration.map(String.init) ?? "-")] \(event.message ?? "")") }
      print(lines.joined(separator: " "))
    }
    print("crash test: \(kills) kills, \(rounds) rounds, in doubt: \(inDoubt.joined(separator: ", "))")
  }

  func testASecondApplyOnTheSameLockExits5NamingTheHolder() throws {
    let scratch = try ScratchDirectory("lock")
    try scratch.write("hold.yaml", "runbook: 1\nname: hold\nlock: target-x\nsteps:\n  - id: hold\n    action: exec\n    with: { argv: [sleep, \"3\"] }\n")
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state"]
    let first = try CommandLineTool.start(["apply", "hold.yaml", "--yes", "--run-id", "holder"], in: scratch.path, environment: environment)
    while !first.stdoutSoFar.contains("▶ hold") { usleep(20_000) }
    let second = try CommandLineTool.run(["apply", "hold.yaml", "--yes", "--run-id", "second"], in: scratch.path, environment: environment)
    XCTAssertEqual(second.status, 5, second.stderr)
    XCTAssertTrue(second.stderr.contains("lock 'target-x' is held by run holder (pid \(first.pid) on "), second.stderr)
    XCTAssertEqual(try first.finish().status, 0)
    XCTAssertNil(try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").run("second"), "a locked-out apply records no run")
  }

  func testARunWhoseEngineWasKilledIsShownAsSuchNotAsRunning() throws {
    let scratch = try ScratchDirectory("engine-gone")
    try scratch.write("hold.yaml", "runbook: 1\nname: hold\nsteps:\n  - id: hold\n    action: exec\n    with: { argv: [sleep, \"30\"] }\n")
    let live = try CommandLineTool.start(["apply", "hold.yaml", "--yes", "--run-id", "alive"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
    let deadline = Date().addingTimeInterval(30)
    while !live.stdoutSoFar.contains("▶ hold"), Date() < deadline { usleep(20_000) }
    let running = try scratch.runbook(["runs"])
    XCTAssertTrue(running.stdout.contains("alive  hold     running  "), running.stdout)
    XCTAssertFalse(running.stdout.contains("engine gone"), running.stdout)
    live.signal(SIGKILL)
    _ = try live.finish()
    let runs = try scratch.runbook(["runs"])
    XCTAssertTrue(runs.stdout.contains("running, engine gone"), runs.stdout)
    let shown = try scratch.runbook(["show", "alive"])
    XCTAssertTrue(shown.stdout.contains("run alive: hold — running — engine gone since "), shown.stdout)
    XCTAssertTrue(shown.stdout.contains("; resume to continue: runbook resume alive --state-dir \(scratch.path)/state"), shown.stdout)
    let json = try scratch.runbook(["show", "alive", "--format", "json"])
    XCTAssertTrue(json.stdout.contains(#""engine" : "gone""#) || json.stdout.contains(#""engine": "gone""#), json.stdout)
  }

  func testALiveRunIsNotResumedEvenAfterItsLockWasReleasedByForce() throws {
    let scratch = try ScratchDirectory("resume-live")
    try scratch.write("hold.yaml", "runbook: 1\nname: hold\nsteps:\n  - id: hold\n    action: exec\n    with: { argv: [sleep, \"3\"] }\n")
    let live = try CommandLineTool.start(["apply", "hold.yaml", "--yes", "--run-id", "live"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
    let deadline = Date().addingTimeInterval(30)
    while !live.stdoutSoFar.contains("▶ hold"), Date() < deadline { usleep(20_000) }
    XCTAssertEqual(try scratch.runbook(["unlock", "hold", "--force"]).status, 0)
    XCTAssertTrue(try scratch.runbook(["runs"]).stdout.contains("running ("), "its pid still runs: not shown as gone")
    let resumed = try scratch.runbook(["resume", "live"])
    XCTAssertEqual(resumed.status, 5, resumed.stdout + resumed.stderr)
    XCTAssertTrue(resumed.stderr.contains("run live is still running, or cannot be proven stopped (pid \(live.pid) on "), resumed.stderr)
    XCTAssertEqual(try live.finish().status, 0)
    XCTAssertTrue(try scratch.runbook(["show", "live"]).stdout.contains("run live: hold — succeeded"))
  }

  func testSIGINTStartsNothingNewAndExits130() throws {
    let scratch = try ScratchDirectory("sigint")
    try scratch.write("long.yaml", """
      runbook: 1
      name: long
      steps:
        - id: first
          action: exec
          with: { argv: [sleep, "30"] }
        - id: second
          needs: [first]
          action: exec
          with: { argv: [touch, second-ran] }
      """)
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state"]
    let run = try CommandLineTool.start(["apply", "long.yaml", "--yes", "--run-id", "i"], in: scratch.path, environment: environment)
    while !run.stdoutSoFar.contains("▶ first") { usleep(20_000) }
    let started = Date()
    run.signal(SIGINT)
    let result = try run.finish()
    XCTAssertEqual(result.status, 130, result.stdout + result.stderr)
    XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the child got the signal")
    XCTAssertFalse(scratch.exists("second-ran"))
    let store = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite")
    XCTAssertEqual(try store.run("i")?.status, .interrupted)
    XCTAssertEqual(try store.steps(ofRun: "i").first?.status, .interrupted)
    let resumed = try CommandLineTool.run(["resume", "i"], in: scratch.path, environment: environment)
    XCTAssertEqual(resumed.status, 3, "an interrupted, non-idempotent step is in doubt: \(resumed.stdout)")
  }

  static func runbook(steps: Int) -> String {
    var text = "runbook: 1\nname: crash\nsteps:\n"
    for n in 0..<steps {
      let idempotent = n % 2 == 0
      text += "  - id: s\(n)\n"
      if n > 0 { text += "    needs: [s\(n - 1)]\n" }
      text += "    idempotent: \(idempotent)\n"
      text += "    action: shell\n"
      text += "    with: { run: \"echo \(idempotent ? "idem" : "once")-s\(n) >> ledger; sleep 0.1\" }\n"
      if n == steps / 2 {
        text += "  - id: each\n    needs: [s\(n)]\n    for_each: [a, b, c, d]\n    action: shell\n"
        text += "    with: { run: \"echo once-each-${{ item }} >> ledger; sleep 0.1\" }\n"
      }
    }
    return text
  }

  /// The step (or `step[i]`) an exit-3 resume names as in doubt.
  static func inDoubtStep(_ output: String) -> String? {
    guard let range = output.range(of: "in doubt: ") else { return nil }
    return String(output[range.upperBound...].prefix { $0 != " " })
  }

  /// The ledger line a step or iteration writes, minus its prefix.
  static func ledgerKey(_ step: String) -> String {
    guard step.hasPrefix("each["), let index = Int(step.dropFirst(5).dropLast()) else { return step }
    return "each-" + ["a", "b", "c", "d"][index]
  }
}
