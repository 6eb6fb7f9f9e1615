import Foundation
import RunbookActions
import RunbookKit
import RunbookTestSupport
import XCTest

/// The run lifecycle in process, as a library user drives it: `RunSession` over the in-memory
/// journal, with no command line in between (docs/architecture.md, "The engine owns the run").
final class RunSessionTests: XCTestCase {
  var scratch: ScratchDirectory!
  let registry = BuiltinActions.registry

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("session")
  }

  private func plan(_ text: String, arguments: [String] = []) throws -> (Plan, ParamValues) {
    let document = RunbookDocument.load(text: text, file: scratch.path + "/r.yaml", registry: registry)
    XCTAssertTrue(document.isValid, "\(document.diagnostics)")
    let (bound, problems) = ParamBinder.bind(document.runbook!, arguments: arguments)
    XCTAssertFalse(problems.hasErrors, "\(problems)")
    let (built, planProblems) = PlanBuilder.build(document, params: bound, registry: registry)
    return (try XCTUnwrap(built, "\(planProblems)"), bound)
  }

  private func attendance(approve: Bool? = nil) -> RunSession.Attendance {
    RunSession.Attendance(observer: Events(), approver: Answer(answer: approve), interruption: Interruption())
  }

  func testApplyJournalsTheRunLocksItAndReleasesTheLock() async throws {
    let store = InMemoryStateStore()
    let session = RunSession(store: store, registry: registry, environment: ["HOME": scratch.path])
    let (plan, params) = try plan("""
      runbook: 1
      name: touch
      lock: touch-${{ params.who }}
      params:
        who: { type: string, default: me }
        token: { type: string, secret: true }
      steps:
        - id: write
          action: file.write
          with: { path: \(scratch.path)/out, content: "hi" }
      """, arguments: ["token=s3cret"])
    let new = RunSession.NewRun(plan: plan, params: params, id: "r1", file: "r.yaml", fromPlanFile: false, workingDirectory: scratch.path)
    let checked = try session.check(new)
    let finished = try await session.apply(checked, parallel: 2, attendance: attendance())
    XCTAssertEqual(finished.runID, "r1")
    XCTAssertEqual(finished.outcome, .succeeded)
    let record = try XCTUnwrap(try store.run("r1"))
    XCTAssertEqual(record.status, .succeeded)
    XCTAssertEqual(record.lockName, "touch-me")
    XCTAssertEqual(record.file, scratch.path + "/r.yaml", "made absolute against the working directory")
    XCTAssertEqual(record.params["who"], .string("me"))
    XCTAssertNil(record.params["token"], "a secret is never journaled")
    XCTAssertEqual(record.secretsGiven, ["token"])
    XCTAssertEqual(try store.locks(), [], "the lock is released")
    XCTAssertEqual(scratch.read("out"), "hi")

    do {
      _ = try await session.apply(try session.check(new), parallel: 1, attendance: attendance())
      XCTFail("a run id is used once")
    } catch {
      XCTAssertEqual(error.code, .invalidInput)
    }
  }

  func testALockHeldByALiveRunRefusesTheNextOne() async throws {
    let store = InMemoryStateStore()
    let session = RunSession(store: store, registry: registry)
    let (plan, params) = try plan("runbook: 1\nname: held\nsteps:\n  - id: s\n    action: exec\n    with: { argv: [true] }\n")
    // This very process holds it for another run: alive, so not stale.
    _ = try store.acquireLock(LockHolder.current(name: "held", runID: "other", host: session.host)) { _ in false }
    do {
      _ = try await session.apply(try session.check(.init(plan: plan, params: params, file: "r.yaml", fromPlanFile: false)), parallel: 1, attendance: attendance())
      XCTFail("locked")
    } catch {
      XCTAssertEqual(error.code, .locked)
      XCTAssertTrue(error.message.contains("lock 'held' is held by run other"), error.message)
    }
    XCTAssertEqual(try store.runs().count, 0, "a locked-out apply leaves no run behind")
  }

  func testResumeContinuesAPausedRunAndAsksForItsSecretAgain() async throws {
    let store = InMemoryStateStore()
    let session = RunSession(store: store, registry: registry)
    let text = """
      runbook: 1
      name: paused
      params:
        token: { type: string, secret: true }
      steps:
        - id: first
          action: file.write
          with: { path: \(scratch.path)/first, content: "1" }
        - id: second
          needs: [first]
          approval: Go on?
          action: file.write
          with: { path: \(scratch.path)/second, content: "2" }
      """
    let (plan, params) = try plan(text, arguments: ["token=s3cret"])
    let new = RunSession.NewRun(plan: plan, params: params, id: "p1", file: scratch.path + "/r.yaml", fromPlanFile: false, workingDirectory: scratch.path)
    let paused = try await session.apply(try session.check(new), parallel: 1, attendance: attendance())
    XCTAssertEqual(paused.outcome, .paused(steps: ["second"]))
    XCTAssertFalse(scratch.exists("second"))

    let point = try XCTUnwrap(try session.resumePoint("p1", allowChanged: false))
    XCTAssertEqual(point.text, text, "the runbook file is gone: the journaled text")
    let (again, withoutSecret) = try self.plan(point.text)
    do {
      _ = try await session.resume(point, plan: again, params: withoutSecret, instructions: .init(approve: ["second"]), parallel: 1, attendance: attendance())
      XCTFail("the secret must be given again")
    } catch {
      XCTAssertEqual(error.code, .invalidInput)
      XCTAssertTrue(error.message.contains("secret param 'token'"), error.message)
    }
    do {
      _ = try await session.resume(point, plan: again, params: params, instructions: .init(approve: ["secnod"]), parallel: 1, attendance: attendance())
      XCTFail("no such step")
    } catch {
      XCTAssertTrue(error.message.contains("did you mean 'second'?"), error.message)
    }
    let resumed = try await session.resume(point, plan: again, params: params, instructions: .init(approve: ["second"]), parallel: 1, attendance: attendance())
    XCTAssertEqual(resumed.outcome, .succeeded)
    XCTAssertEqual(scratch.read("second"), "2")
    XCTAssertNil(try session.resumePoint("p1", allowChanged: false), "a succeeded run has nothing to resume")
    XCTAssertThrowsError(try session.resumePoint("nope", allowChanged: false)) { XCTAssertEqual(($0 as? RunSessionError)?.code, .unknownRun) }
  }

  func testThePlanAgeLimitIsTheSmallerOfTheRunbooksAndTheCommandLinesElseADay() throws {
    let session = RunSession(store: InMemoryStateStore(), registry: registry)
    func made(_ text: String) throws -> RunSession.NewRun {
      let (plan, params) = try self.plan(text)
      var new = RunSession.NewRun(plan: plan, params: params, file: "old.plan", fromPlanFile: true)
      new.planMade = Date()
      return new
    }
    let plain = try made("runbook: 1\nname: plain\nsteps:\n  - id: s\n    action: exec\n    with: { argv: [true] }\n")
    XCTAssertNoThrow(try session.check(plain, now: Date().addingTimeInterval(23 * 3600)))
    XCTAssertThrowsError(try session.check(plain, now: Date().addingTimeInterval(25 * 3600))) {
      XCTAssertEqual(($0 as? RunSessionError)?.code, .stale)
      XCTAssertTrue(($0 as? RunSessionError)?.message.contains("more than 24h (the default) allows") == true, "\($0)")
    }
    let weekly = try made("runbook: 1\nname: weekly\nreview: { max_plan_age: 7d }\nsteps:\n  - id: s\n    action: exec\n    with: { argv: [true] }\n")
    XCTAssertNoThrow(try session.check(weekly, review: .init(maxPlanAge: RunbookDuration("30d")), now: Date().addingTimeInterval(25 * 3600)), "the runbook allows a week")
    XCTAssertThrowsError(try session.check(weekly, review: .init(maxPlanAge: RunbookDuration("30d")), now: Date().addingTimeInterval(8 * 86400))) {
      XCTAssertTrue(($0 as? RunSessionError)?.message.contains("more than 7d (the runbook's review.max_plan_age) allows") == true, "\($0)")
    }
    XCTAssertThrowsError(try session.check(weekly, review: .init(maxPlanAge: RunbookDuration("1h")), now: Date().addingTimeInterval(2 * 3600))) {
      XCTAssertTrue(($0 as? RunSessionError)?.message.contains("more than 1h (--max-plan-age) allows") == true, "\($0)")
    }
  }

  func testAProbeRunsOnlyReadOnlyActionsAndFeedsThePlan() async throws {
    try scratch.write("present", "x")
    let (plan, params) = try plan("""
      runbook: 1
      name: probe
      preconditions:
        - check: file.stat
          with: { path: \(scratch.path)/present }
          expect: ${{ check.exists }}
      steps:
        - id: look
          action: file.stat
          with: { path: \(scratch.path)/present }
        - id: write
          needs: [look]
          skip_if:
            - check: file.stat
              with: { path: \(scratch.path)/done }
              expect: ${{ check.exists }}
          action: file.write
          with: { path: "\(scratch.path)/${{ steps.look.outputs.size }}", content: "never" }
        - id: after
          needs: [write]
          action: file.stat
          with: { path: \(scratch.path)/present }
      """)
    let probed = try await plan.probed(params: params, registry: registry, environment: [:])
    XCTAssertEqual(probed.preconditions[0].finding?.status, .held)
    let steps = Dictionary(probed.steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(steps["look"]?.probe?.status, .succeeded)
    XCTAssertEqual(steps["write"]?.skipIf[0].finding?.status, .notHeld)
    XCTAssertEqual(steps["write"]?.probe?.message, "not probed: file.write is mutating; it runs only at apply")
    XCTAssertEqual(steps["write"]?.call.inputs.first { $0.name == "path" }.map { $0.value.plainText }, scratch.path + "/1")
    XCTAssertEqual(steps["write"]?.call.inputs.first { $0.name == "path" }?.probed, true)
    XCTAssertEqual(steps["after"]?.probe?.status, .pending, "nothing after a step the probe does not run is read")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), ["present"], "nothing was written")
    XCTAssertTrue(probed.probe!.facts.contains(Fact(name: "steps.look.outputs.size", value: .int(1))), "\(probed.probe!.facts)")
  }
}

/// Events are not looked at here.
private struct Events: RunObserver {
  func observe(_ event: RunEvent) {}
}

private struct Answer: Approver {
  var answer: Bool?
  func approve(step: String, message: String) async -> Bool? { answer }
}
