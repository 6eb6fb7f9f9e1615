import Foundation
import RunbookTestSupport
import XCTest

/// What a run prints without a terminal (a log) and what `show` prints afterwards: the guards
/// that ran, iterations named by their item and listed under their loop, sentences that read.
final class RunOutputTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("run-output")
  }

  func testALogOfASuccessfulRunShowsEveryGuardThatRan() throws {
    try scratch.write("guards.yaml", """
      runbook: 1
      name: guards
      params:
        force: { type: bool, default: true }
      preconditions:
        - check: file.stat
          with: { path: /etc/hosts }
          expect: ${{ check.exists }}
      steps:
        - id: write
          skip_if:
            - check: file.stat
              with: { path: done.txt }
              expect: ${{ check.exists }}
          preconditions:
            - expect: ${{ len('abc') == 3 }}
            - check: file.stat
              with: { path: /nonexistent }
              expect: ${{ check.exists }}
              unless: ${{ params.force }}
          action: exec
          with: { argv: [touch, done.txt] }
          verify:
            - check: file.stat
              with: { path: done.txt }
              expect: ${{ check.exists }}
      """)
    let result = try scratch.runbook(["apply", "guards.yaml", "--yes"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    XCTAssertTrue(lines.first?.contains(": guards, 1 step (journal: ") == true, result.stdout)
    for expected in [
      "  ✓ run precondition: file.stat: ${{ check.exists }}",
      "  · write skip_if does not hold, so the step runs: file.stat: ${{ check.exists }} — ${{ check.exists }} is false",
      "  ✓ write precondition: ${{ len('abc') == 3 }}",
      "  · write precondition not checked: file.stat: ${{ check.exists }} — unless ${{ params.force }}",
      "  ✓ write verify: file.stat: ${{ check.exists }}",
    ] {
      XCTAssertTrue(lines.contains(expected), "missing \(expected):\n\(result.stdout)")
    }
    XCTAssertTrue(result.stdout.hasSuffix(" succeeded: every step is done\n"), result.stdout)
    let again = try scratch.runbook(["apply", "guards.yaml", "--yes", "--format", "json"])
    let events = again.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    let checks = events.filter { $0["event"] as? String == "check.evaluated" }
    XCTAssertEqual(checks.compactMap { $0["check"] as? String }, ["run precondition", "skip_if"], again.stdout)
    XCTAssertEqual(checks.last?["status"] as? String, "held", "done.txt exists now: the step is already done")
  }

  func testASkipIfWaivedByUnlessRunsTheStepAndOneThatCannotBeEvaluatedFailsIt() throws {
    try scratch.write("skip.yaml", """
      runbook: 1
      name: skip
      params:
        force: { type: bool, default: true }
      steps:
        - id: forced
          skip_if:
            - expect: ${{ true }}
              unless: ${{ params.force }}
          action: exec
          with: { argv: [echo, forced ran] }
        - id: broken
          skip_if:
            - expect: ${{ 1 }}
          action: exec
          with: { argv: [echo, broken ran] }
        - id: override
          skip_if:
            - expect: ${{ true }}
              unless: ${{ int(env.RUNBOOK_TEST_COUNT) > 0 }}
          action: exec
          with: { argv: [echo, override ran] }
      """)
    let result = try scratch.runbook(["apply", "skip.yaml", "--yes"], environment: ["RUNBOOK_TEST_COUNT": "x"])
    XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("  forced | forced ran"), "forcing means: do it, not: skip it\n\(result.stdout)")
    XCTAssertFalse(result.stdout.contains("broken ran"), result.stdout)
    XCTAssertTrue(result.stdout.contains("✗ broken failed: skip_if cannot be evaluated, so whether it is done is not known: ${{ 1 }} gave int, not true or false"), result.stdout)
    XCTAssertTrue(result.stdout.contains("✗ override failed: skip_if cannot be evaluated, so whether it is done is not known: unless: "), "an override that cannot be read is not off:\n\(result.stdout)")
  }

  func testIterationsAreNamedByTheirItemAndShownUnderTheirLoop() throws {
    try scratch.write("loop.yaml", """
      runbook: 1
      name: loop
      steps:
        - id: defrag
          approval: Defragment every member?
          for_each: ${{ [object('name', 'm1'), object('name', 'm2')] }}
          as: member
          action: exec
          with: { argv: [echo, "${{ member.name }}"] }
        - id: other
          action: exec
          with: { argv: [echo, other] }
        - id: boom
          needs: [other]
          action: shell
          with: { run: "exit 1" }
      """)
    let paused = try scratch.runbook(["apply", "loop.yaml", "--yes", "--run-id", "l1"])
    XCTAssertEqual(paused.status, 4, paused.stdout)
    XCTAssertTrue(paused.stdout.contains("run l1 paused for approval; to continue: runbook resume l1 --approve defrag --state-dir \(scratch.path)/state\n"), paused.stdout)
    let resumed = try scratch.runbook(["resume", "l1", "--approve", "defrag", "--format", "json"])
    XCTAssertTrue(resumed.stdout.contains(#""iteration":1,"item":"m2""#), resumed.stdout)
    let text = try scratch.runbook(["resume", "l1"])
    XCTAssertEqual(text.status, 1)
    XCTAssertFalse(text.stdout.contains("defrag["), "done iterations do not run again")
    XCTAssertTrue(text.stdout.contains("run l1 failed at boom; see: runbook show l1 --state-dir \(scratch.path)/state; then: runbook resume l1 --state-dir "), text.stdout)
    let shown = try scratch.runbook(["show", "l1"]).stdout
    let loop = try XCTUnwrap(shown.range(of: "defrag  succeeded"))
    let first = try XCTUnwrap(shown.range(of: "  defrag[0] m1  succeeded"))
    let second = try XCTUnwrap(shown.range(of: "  defrag[1] m2  succeeded"))
    let other = try XCTUnwrap(shown.range(of: "\nother  succeeded"))
    XCTAssertTrue(loop.lowerBound < first.lowerBound && first.lowerBound < second.lowerBound && second.lowerBound < other.lowerBound, shown)
  }
}
