import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §10 against the real binary: what the plan says is what the engine does. `within`
/// polls preconditions and `skip_if` too; a typed input an expression produced is checked
/// once, at resolution, and a bad one fails the step; JSON integers beyond Int64 stay exact.
final class PlanEngineAgreementTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("agreement")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments)
  }

  func testPreconditionsAndSkipIfArePolledWithinTheirWindow() throws {
    try scratch.write("poll.yaml", """
      runbook: 1
      name: poll
      steps:
        - id: later
          action: shell
          with: { run: "sleep 1; touch ready; sleep 1; touch done" }
        - id: guarded
          action: shell
          with: { run: "echo guarded ran" }
          preconditions:
            - check: file.stat
              with: { path: ready }
              expect: ${{ check.exists }}
              within: 10s
              every: 200ms
        - id: idempotent
          action: shell
          with: { run: "echo should not run > ran" }
          skip_if:
            - check: file.stat
              with: { path: done }
              expect: ${{ check.exists }}
              within: 10s
              every: 200ms
      """)
    let plan = try runbook(["plan", "poll.yaml"])
    XCTAssertTrue(plan.stdout.contains("polled until it holds, within 10s, every 200ms"), plan.stdout)
    let applied = try runbook(["apply", "poll.yaml", "--yes", "--parallel", "3"])
    XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
    XCTAssertTrue(applied.stdout.contains("guarded | guarded ran"), applied.stdout)
    XCTAssertFalse(scratch.exists("ran"), "skip_if held once polled")
  }

  func testABadTimeoutFromAnExpressionFailsTheStep() throws {
    try scratch.write("timeout.yaml", """
      runbook: 1
      name: timeout
      params:
        limit: { type: string, default: 5s }
      steps:
        - id: run
          action: exec
          with: { argv: [sleep, "0"], timeout: "${{ params.limit }}" }
      """)
    XCTAssertEqual(try runbook(["apply", "timeout.yaml", "--yes"]).status, 0)
    // Known before the run: refused with the plan.
    let planned = try runbook(["apply", "timeout.yaml", "--yes", "-p", "limit=soon"])
    XCTAssertEqual(planned.status, 2, planned.stdout)
    XCTAssertTrue(planned.stderr.contains("input 'timeout' of exec is 'soon', not a duration such as 30s, 5m or 1h30m"), planned.stderr)
    // Known only at run time: the step fails, it does not run without a timeout.
    try scratch.write("later.yaml", """
      runbook: 1
      name: later
      steps:
        - id: limit
          action: exec
          with: { argv: [printf, soon] }
        - id: run
          needs: [limit]
          action: exec
          with: { argv: [sleep, "0"], timeout: "${{ steps.limit.outputs.stdout }}" }
      """)
    let late = try runbook(["apply", "later.yaml", "--yes"])
    XCTAssertEqual(late.status, 1, late.stdout)
    XCTAssertTrue(late.stdout.contains("input 'timeout' of exec is 'soon', not a duration such as 30s, 5m or 1h30m"), late.stdout)
  }

  func testIntegersBeyondInt64StayExact() throws {
    try scratch.write("big.yaml", """
      runbook: 1
      name: big
      steps:
        - id: read
          action: exec
          with: { argv: [echo, '{"n": 41, "big": 17736098101335889303}'], parse: json }
        - id: compare
          needs: [read]
          when: ${{ steps.read.outputs.json.big == 17736098101335889303 && steps.read.outputs.json.big > 9223372036854775807 }}
          action: exec
          with: { argv: [echo, "big=${{ steps.read.outputs.json.big }} hex=${{ hex(steps.read.outputs.json.big) }}"] }
      """)
    let applied = try runbook(["apply", "big.yaml", "--yes", "--run-id", "r1"])
    XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
    XCTAssertTrue(applied.stdout.contains("compare | big=17736098101335889303 hex=f6234740d79b1597"), applied.stdout)
    let shown = try runbook(["show", "r1", "--format", "json"])
    XCTAssertTrue(shown.stdout.contains("17736098101335889303"), shown.stdout)
  }
}
