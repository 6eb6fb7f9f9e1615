import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// Issue 12 §2, §3 and §5 against the real binary: `plan --probe` runs only what is read-only
/// and shows what it read; a sealed probed plan is refused when the facts changed or it is too
/// old; checks evaluated together share one read.
final class ProbeTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("probe")
  }

  func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, environment: ["RUNBOOK_PATH": Repository.path("runbooks"), "RUNBOOK_PLUGIN_PATH": scratch.path + "/plugins"].merging(environment) { $1 })
  }

  /// A plugin that appends its name to `calls` whenever it runs.
  func writePlugin(_ name: String, effect: String) throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/plugins", withIntermediateDirectories: true)
    let file = try scratch.write("plugins/runbook-action-\(name)", """
      #!/bin/sh
      if [ "$1" = describe ]; then echo '{"name": "\(name)", "effect": "\(effect)", "idempotent": true, "outputs": [{"name": "n", "type": "int"}]}'; exit 0; fi
      cat > /dev/null
      echo \(name) >> "\(scratch.path)/calls"
      echo '{"outputs": {"n": 7}}'
      """)
    chmod(file, 0o755)
  }

  func testAProbeRunsNoMutatingShellStepNorMutatingPluginAndSaysWhy() throws {
    try writePlugin("count", effect: "read-only")
    try writePlugin("change", effect: "mutating")
    try scratch.write("mixed.yaml", """
      runbook: 1
      name: mixed
      preconditions:
        - check: count
          expect: ${{ check.n == 7 }}
      steps:
        - id: read
          action: count
        - id: touch
          needs: [read]
          action: shell
          with: { run: "touch \(scratch.path)/touched" }
        - id: plugin
          needs: [read]
          action: change
        - id: later
          needs: [touch]
          action: count
        - id: racy
          action: file.stat
          with: { path: \(scratch.path)/touched }
      """)
    let probed = try runbook(["plan", "mixed.yaml", "--probe"])
    XCTAssertEqual(probed.status, 0, probed.stderr)
    XCTAssertFalse(scratch.exists("touched"), "the shell step did not run")
    XCTAssertEqual(scratch.read("calls"), "count\n", "only the read-only plugin ran, once for the precondition and the step that read the same")
    XCTAssertTrue(probed.stdout.contains("      not probed: shell is mutating; it runs only at apply\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("      not probed: change is mutating; it runs only at apply\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("      not probed: it needs a step the probe did not run\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("      probed: read live, outputs below\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("  · racy\n      action: file.stat (read-only, idempotent)\n      not probed: touch, which changes something, may run before it at apply\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("        n = 7\n"), probed.stdout)
    XCTAssertTrue(probed.stdout.contains("    now: holds\n"), probed.stdout)
  }

  func testAFailingRunPreconditionComesFirstAndExits3InEveryFormat() throws {
    try scratch.write("gate.yaml", """
      runbook: 1
      name: gate
      preconditions:
        - check: file.stat
          with: { path: \(scratch.path)/ready }
          expect: ${{ check.exists }}
          message: "\(scratch.path)/ready is missing"
      steps:
        - id: go
          action: exec
          with: { argv: [true] }
      """)
    let text = try runbook(["plan", "gate.yaml", "--probe"])
    XCTAssertEqual(text.status, 3)
    XCTAssertTrue(text.stdout.hasPrefix("BLOCKED NOW: apply would stop before the first step:\n  ✗ run precondition 1 (file.stat): \(scratch.path)/ready is missing\n"), text.stdout)
    let json = try runbook(["plan", "gate.yaml", "--probe", "--format", "json"])
    XCTAssertEqual(json.status, 3)
    XCTAssertTrue(json.stdout.contains("\"run_preconditions_hold\": false"), json.stdout)
    XCTAssertTrue(json.stdout.contains("\"status\": \"not_held\""), json.stdout)
    let markdown = try runbook(["plan", "gate.yaml", "--probe", "--format", "markdown"])
    XCTAssertTrue(markdown.stdout.hasPrefix("> **Blocked now:**"), markdown.stdout)
    XCTAssertTrue(markdown.stdout.contains("| `preconditions[0]` | `\"not_held\"` |"), markdown.stdout)
    for format in ["dot", "mermaid"] {
      let graph = try runbook(["plan", "gate.yaml", "--probe", "--format", format])
      XCTAssertEqual(graph.status, 3)
      XCTAssertTrue(graph.stdout.contains("not probed") == false && graph.stdout.contains("go"), graph.stdout)
    }
    try scratch.write("ready", "")
    XCTAssertEqual(try runbook(["plan", "gate.yaml", "--probe"]).status, 0)
  }

  func testChecksEvaluatedTogetherShareOneRead() throws {
    try writePlugin("count", effect: "read-only")
    try scratch.write("three.yaml", """
      runbook: 1
      name: three
      preconditions:
        - { check: count, expect: "${{ check.n > 1 }}" }
        - { check: count, expect: "${{ check.n > 2 }}" }
        - { check: count, expect: "${{ check.n > 3 }}" }
      steps:
        - id: go
          preconditions:
            - { check: count, expect: "${{ check.n > 1 }}" }
            - { check: count, expect: "${{ check.n > 2 }}" }
          action: exec
          with: { argv: [true] }
      """)
    let applied = try runbook(["apply", "three.yaml", "--yes"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertEqual(scratch.read("calls"), "count\ncount\n", "one read for the run's three, one for the step's two")
  }

  func testAStalePlanIsRefusedWithEachFactAsReviewedAndAsFound() throws {
    try scratch.write("version", "1\n")
    try scratch.write("deploy.yaml", """
      runbook: 1
      name: deploy
      steps:
        - id: current
          action: file.stat
          with: { path: \(scratch.path)/version }
        - id: record
          needs: [current]
          action: exec
          with: { argv: [echo, "was ${{ steps.current.outputs.sha256 }}"] }
      """)
    let planned = try runbook(["plan", "deploy.yaml", "--probe", "--out", "change.plan"])
    XCTAssertEqual(planned.status, 0, planned.stderr)
    XCTAssertTrue(scratch.read("change.plan").contains("\"name\": \"steps.current.outputs.sha256\""), scratch.read("change.plan"))
    let reviewed = try runbook(["plan", "change.plan"])
    XCTAssertEqual(reviewed.status, 0, reviewed.stderr)

    XCTAssertTrue(reviewed.stderr.contains("note: sealed with 3 facts probed at "), reviewed.stderr)
    try scratch.write("version", "2\n")
    let compared = try runbook(["plan", "change.plan", "--probe"])
    XCTAssertEqual(compared.status, 3)
    XCTAssertTrue(compared.stderr.contains("changed; apply would refuse this plan (exit 3):\n  steps.current.outputs.sha256: reviewed \"4355a46b"), compared.stderr)
    let refused = try runbook(["apply", "change.plan", "--yes"])
    XCTAssertEqual(refused.status, 3, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stderr.contains("change.plan is stale: 1 fact changed since it was reviewed:\n  steps.current.outputs.sha256: reviewed \"4355a46b"), refused.stderr)
    XCTAssertTrue(refused.stderr.contains(", found \"53c234e5"), refused.stderr)
    XCTAssertFalse(refused.stdout.contains("run "), "no run began")

    let drifted = try runbook(["apply", "change.plan", "--yes", "--allow-drift", "--run-id", "d1"])
    XCTAssertEqual(drifted.status, 0, drifted.stdout + drifted.stderr)
    let events = try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").events(ofRun: "d1")
    XCTAssertTrue(events.contains { $0.kind == "plan.drift" && $0.message?.contains("steps.current.outputs.sha256: reviewed") == true }, "\(events)")
    let shown = try runbook(["show", "d1"])
    XCTAssertTrue(shown.stdout.contains("drift:   the plan's facts had changed since review:\n  run on with --allow-drift: steps.current.outputs.sha256: reviewed \"4355a46b"), shown.stdout)

    try scratch.write("version", "1\n")
    XCTAssertEqual(try runbook(["apply", "change.plan", "--yes"]).status, 0, "the facts as reviewed again")
  }

  func testAPlanOlderThanTheLimitIsRefused() throws {
    try scratch.write("hello.yaml", "runbook: 1\nname: hello\nsteps:\n  - id: hi\n    action: exec\n    with: { argv: [echo, hi] }\n")
    XCTAssertEqual(try runbook(["plan", "hello.yaml", "--out", "p.plan"]).status, 0)
    Thread.sleep(forTimeInterval: 2.1)
    let old = try runbook(["apply", "p.plan", "--yes", "--max-plan-age", "1s"])
    XCTAssertEqual(old.status, 3, old.stderr)
    XCTAssertTrue(old.stderr.contains("error: p.plan was made ") && old.stderr.contains("s ago ("), old.stderr)
    XCTAssertTrue(old.stderr.contains("more than 1s (--max-plan-age) allows; make a new plan and review it again"), old.stderr)
    XCTAssertEqual(try runbook(["apply", "p.plan", "--yes"]).status, 0, "within the default 24h")

    try scratch.write("strict.yaml", "runbook: 1\nname: strict\nreview: { max_plan_age: 1s }\nsteps:\n  - id: hi\n    action: exec\n    with: { argv: [echo, hi] }\n")
    XCTAssertEqual(try runbook(["plan", "strict.yaml", "--out", "s.plan"]).status, 0)
    Thread.sleep(forTimeInterval: 2.1)
    let strict = try runbook(["apply", "s.plan", "--yes", "--max-plan-age", "48h"])
    XCTAssertEqual(strict.status, 3, strict.stderr)
    XCTAssertTrue(strict.stderr.contains("more than 1s (the runbook's review.max_plan_age) allows"), "the command line cannot allow more: \(strict.stderr)")
    XCTAssertEqual(try runbook(["apply", "p.plan", "--yes", "--max-plan-age", "soon"]).status, 2)
  }

  func testAnOutputReadByAComputedKeyOrWholeIsAFactAndVolatileFieldsAreNot() throws {
    try scratch.write("g", "one\n")
    chmod(scratch.path + "/g", 0o644)
    _ = try OpenSSL.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", scratch.path + "/c.key", "-out", scratch.path + "/c.crt", "-days", "30", "-subj", "/CN=probe"])
    try scratch.write("keyed.yaml", """
      runbook: 1
      name: keyed
      params: { k: { type: string, default: mode } }
      steps:
        - id: st
          action: file.stat
          with: { path: \(scratch.path)/g }
        - id: certs
          action: x509.inspect
          with: { path: \(scratch.path)/c.crt }
        - id: a
          needs: [st, certs]
          action: exec
          with: { argv: [echo, "${{ steps.st.outputs[params.k] }}", "${{ len(toJSON(steps.certs.outputs)) }}"] }
      """)
    XCTAssertEqual(try runbook(["plan", "keyed.yaml", "--probe", "--out", "k.plan"]).status, 0)
    let plan = scratch.read("k.plan")
    XCTAssertTrue(plan.contains("\"name\": \"steps.st.outputs.mode\""), plan)
    XCTAssertFalse(plan.contains("days_remaining"), "time left is not a fact: \(plan)")
    XCTAssertEqual(try runbook(["plan", "k.plan", "--probe"]).status, 0, "unchanged a moment later")
    chmod(scratch.path + "/g", 0o600)
    let refused = try runbook(["apply", "k.plan", "--yes"])
    XCTAssertEqual(refused.status, 3, refused.stderr)
    XCTAssertTrue(refused.stderr.contains("steps.st.outputs.mode: reviewed \"0644\", found \"0600\""), refused.stderr)
  }

  func testAProbeNeitherWaitsNorRetriesAndAReadThatFailsBlocks() throws {
    try scratch.write("slow.yaml", """
      runbook: 1
      name: slow
      steps:
        - id: pause
          action: wait
          with: { duration: 1h }
        - id: gone
          retry: { attempts: 4, delay: 5s }
          action: x509.inspect
          with: { path: \(scratch.path)/missing.crt }
      """)
    let started = Date()
    let probed = try runbook(["plan", "slow.yaml", "--probe"])
    XCTAssertLessThan(Date().timeIntervalSince(started), 60, "neither an hour's wait nor retries")
    XCTAssertTrue(probed.stdout.contains("      not probed: wait waits; it runs only at apply\n"), probed.stdout)
    XCTAssertEqual(probed.status, 3, probed.stdout)
    XCTAssertTrue(probed.stdout.hasPrefix("BLOCKED NOW: apply would stop at a step:\n  ✗ step gone fails now: "), probed.stdout)
  }

  func testAMutatingLoopWhoseIterationsAreAllDoneIsNotSaidToBeReadLive() throws {
    try scratch.write("done.yaml", """
      runbook: 1
      name: done
      steps:
        - id: write
          for_each: [a, b]
          skip_if:
            - check: file.stat
              with: { path: \(scratch.path) }
              expect: ${{ check.exists }}
          action: file.write
          with: { path: "\(scratch.path)/${{ item }}", content: x }
      """)
    let probed = try runbook(["plan", "done.yaml", "--probe"])
    XCTAssertTrue(probed.stdout.contains("      probed: every iteration is already done now (skip_if)\n"), probed.stdout)
    XCTAssertFalse(probed.stdout.contains("probed: read live"), probed.stdout)
  }

  func testAValueWithANewlineStaysOnItsLine() throws {
    try scratch.write("nl.yaml", """
      runbook: 1
      name: nl
      params: { p: { type: string } }
      steps:
        - id: s
          action: file.stat
          with: { path: "${{ params.p }}" }
        - id: e
          needs: [s]
          action: exec
          with: { argv: [echo, "${{ params.p }}"] }
      """)
    let planned = try runbook(["plan", "nl.yaml", "-p", "p=/tmp/a\n  ~ FAKE step"])
    XCTAssertFalse(planned.stdout.contains("\n  ~ FAKE"), planned.stdout)
    XCTAssertTrue(planned.stdout.contains("      stat /tmp/a\\n  ~ FAKE step\n"), planned.stdout)
    XCTAssertTrue(planned.stdout.contains("      $ echo $'/tmp/a\\n  ~ FAKE step'\n"), planned.stdout)
  }

  func testWhatReadsRunIsNotProbedForAProbeIsNoRun() throws {
    try scratch.write("probe", "a file named as a probe's run id would be")
    try scratch.write("run.yaml", """
      runbook: 1
      name: run
      preconditions:
        - check: file.stat
          with: { path: "\(scratch.path)/${{ run.id }}" }
          expect: ${{ !check.exists }}
      steps:
        - id: s
          action: file.stat
          with: { path: "\(scratch.path)/${{ run.id }}" }
        - id: w
          when: ${{ run.id != '' }}
          action: file.stat
          with: { path: \(scratch.path) }
      """)
    let probed = try runbook(["plan", "run.yaml", "--probe"])
    XCTAssertEqual(probed.status, 0, probed.stdout)
    XCTAssertTrue(probed.stdout.contains("    now: not checked — not probed: it reads run.*, which only a run has\n"), probed.stdout)
    XCTAssertEqual(probed.stdout.components(separatedBy: "      not probed: it reads run.*, which only a run has\n").count, 3, probed.stdout)
  }

  func testSIGINTStopsAProbeAndItsCommandsAndShowsNoHalfReadPlan() throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/plugins", withIntermediateDirectories: true)
    chmod(try scratch.write("plugins/runbook-action-slow", """
      #!/bin/sh
      if [ "$1" = describe ]; then echo '{"name": "slow", "effect": "read-only", "idempotent": true}'; exit 0; fi
      echo started > "\(scratch.path)/slow-started"
      sleep 30
      echo '{"outputs": {}}'
      """), 0o755)
    try scratch.write("slow.yaml", "runbook: 1\nname: slow\nsteps:\n  - id: s\n    action: slow\n")
    let probe = try CommandLineTool.start(
      ["plan", "slow.yaml", "--probe"], in: scratch.path, environment: ["RUNBOOK_PLUGIN_PATH": scratch.path + "/plugins"])
    for _ in 0..<500 where !scratch.exists("slow-started") { usleep(20_000) }
    let interrupted = Date()
    probe.signal(SIGINT)
    let result = try probe.finish()
    XCTAssertEqual(result.status, 130, result.stdout + result.stderr)
    XCTAssertLessThan(Date().timeIntervalSince(interrupted), 10, "the plugin got the signal")
    XCTAssertEqual(result.stdout, "", "no half-read plan")
    XCTAssertTrue(result.stderr.contains("interrupted: the probe stopped, so no plan is shown"), result.stderr)
  }
}
