import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// `apply`, `resume`, `runs` and `show` against the real binary, real child processes and a
/// real SQLite journal in a scratch state directory.
final class ApplyTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("apply")
  }

  /// Runs `runbook ARGUMENTS` with the scratch state directory, in the scratch directory.
  @discardableResult
  func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, environment: environment)
  }

  func store() throws -> SQLiteStateStore { try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite") }

  func testAWaitWhoseCheckIsNotReadOnlyIsRefusedAtValidateOrFailsAtOnce() throws {
    try scratch.write("poll.yaml", """
      runbook: 1
      name: poll
      steps:
        - id: w
          action: wait
          with: { check: shell, with: { run: "touch \(scratch.path)/ran" }, within: 30s, every: 1s }
      """)
    let validated = try runbook(["validate", "poll.yaml"])
    XCTAssertEqual(validated.status, 2)
    XCTAssertTrue(validated.stderr.contains("error[A505]: 'shell' is mutating and cannot be used as a check"), validated.stderr)
    try scratch.write("named.yaml", """
      runbook: 1
      name: named
      params: { c: { type: string, default: shell } }
      steps:
        - id: w
          action: wait
          with: { check: "${{ params.c }}", with: { run: "touch \(scratch.path)/ran" }, within: 30s, every: 1s }
      """)
    let started = Date()
    let applied = try runbook(["apply", "named.yaml", "--yes"])
    XCTAssertEqual(applied.status, 1, applied.stdout)
    XCTAssertLessThan(Date().timeIntervalSince(started), 15, "not polled for its whole within")
    XCTAssertTrue(applied.stdout.contains("shell is not a read-only action"), applied.stdout)
    XCTAssertFalse(scratch.exists("ran"))
  }

  func testASuccessfulRunIsJournaledAndShown() throws {
    try scratch.write("ok.yaml", """
      runbook: 1
      name: ok
      params:
        who: { type: string, default: world }
      steps:
        - id: greet
          action: exec
          with: { argv: [echo, "hello ${{ params.who }}"] }
        - id: again
          needs: [greet]
          action: shell
          with: { run: "echo got ${{ steps.greet.outputs.stdout }}" }
      """)
    let result = try runbook(["apply", "ok.yaml", "--yes", "--run-id", "first", "-p", "who=ops"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.hasPrefix("run first: ok, 2 steps"), result.stdout)
    XCTAssertTrue(result.stdout.contains("  again | got hello ops"), result.stdout)
    let steps = try store().steps(ofRun: "first")
    XCTAssertEqual(steps.map(\.status), [.succeeded, .succeeded])
    XCTAssertEqual(steps[0].outputs["stdout"], .string("hello ops\n"))
    XCTAssertEqual(try store().run("first")?.params["who"], .string("ops"))

    let shown = try runbook(["show", "first", "--format", "json"])
    XCTAssertEqual(shown.status, 0)
    let json = try XCTUnwrap(JSONValue.parse(shown.stdout))
    XCTAssertEqual(json["status"], .string("succeeded"))
    XCTAssertEqual(json["steps"]?[1]?["output_tail"], .string("got hello ops\n"), "echo printed the stdout output's own newline too")
    let runs = try runbook(["runs"])
    XCTAssertTrue(runs.stdout.split(separator: "\n").contains { $0.hasPrefix("first  ok       succeeded") }, runs.stdout)

    let duplicate = try runbook(["apply", "ok.yaml", "--yes", "--run-id", "first"])
    XCTAssertEqual(duplicate.status, 2)
    XCTAssertTrue(duplicate.stderr.contains("a run with id 'first' already exists"), duplicate.stderr)
    XCTAssertEqual(try runbook(["apply", "ok.yaml"]).status, 2, "no TTY and no --yes")
  }

  func testAFailureBlocksDescendantsAndResumeRunsThemAgain() throws {
    try scratch.write("fail.yaml", """
      runbook: 1
      name: fail
      steps:
        - id: breaks
          action: shell
          with: { run: "test -f fixed || { echo not yet >&2; exit 7; }" }
        - id: below
          needs: [breaks]
          action: exec
          with: { argv: [touch, below-ran] }
        - id: beside
          action: exec
          with: { argv: [touch, beside-ran] }
      """)
    let failed = try runbook(["apply", "fail.yaml", "--yes", "--run-id", "r", "--parallel", "1"])
    XCTAssertEqual(failed.status, 1, failed.stdout + failed.stderr)
    XCTAssertTrue(failed.stdout.contains("✗ breaks failed"), failed.stdout)
    XCTAssertTrue(failed.stdout.contains("/bin/sh exited with status 7: not yet"), failed.stdout)
    XCTAssertTrue(failed.stdout.contains("■ below blocked: not run: it needs breaks, which failed"), failed.stdout)
    XCTAssertFalse(scratch.exists("below-ran"))
    let records = Dictionary(try store().steps(ofRun: "r").map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(records["breaks"]?.outputs["exit_code"], .int(7))
    XCTAssertEqual(records["below"]?.status, .blocked)

    try scratch.write("fixed", "")
    let resumed = try runbook(["resume", "r"])
    XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    XCTAssertTrue(scratch.exists("below-ran"))
    XCTAssertEqual(try store().steps(ofRun: "r").map(\.status), [.succeeded, .succeeded, .succeeded])
    XCTAssertEqual(try runbook(["resume", "r"]).stdout, "run r already succeeded; nothing to resume\n")
  }

  func testPreconditionsBlockWithExit3AndApprovalsPauseWithExit4() throws {
    try scratch.write("guarded.yaml", """
      runbook: 1
      name: guarded
      preconditions:
        - check: file.stat
          with: { path: ready }
          expect: ${{ check.exists }}
          message: the file 'ready' must exist
      steps:
        - id: first
          action: exec
          with: { argv: [touch, first-ran] }
        - id: risky
          needs: [first]
          approval: Really do the risky thing?
          action: exec
          with: { argv: [touch, risky-ran] }
      """)
    let blocked = try runbook(["apply", "guarded.yaml", "--yes", "--run-id", "g"])
    XCTAssertEqual(blocked.status, 3, blocked.stdout)
    XCTAssertTrue(blocked.stdout.contains("blocked by a precondition: the file 'ready' must exist"), blocked.stdout)
    XCTAssertFalse(scratch.exists("first-ran"))

    try scratch.write("ready", "")
    let paused = try runbook(["resume", "g"])
    XCTAssertEqual(paused.status, 4, paused.stdout)
    XCTAssertTrue(paused.stdout.contains("runbook resume g --approve risky"), paused.stdout)
    XCTAssertTrue(scratch.exists("first-ran"))
    XCTAssertFalse(scratch.exists("risky-ran"))

    let unknown = try runbook(["resume", "g", "--approve", "risk"])
    XCTAssertEqual(unknown.status, 2)
    XCTAssertTrue(unknown.stderr.contains("run g has no step 'risk'; did you mean 'risky'?"), unknown.stderr)
    let approved = try runbook(["resume", "g", "--approve", "risky"])
    XCTAssertEqual(approved.status, 0, approved.stdout)
    XCTAssertTrue(scratch.exists("risky-ran"))
    XCTAssertTrue(try store().events(ofRun: "g").contains { $0.kind == "step.approved" && $0.step == "risky" })
  }

  func testWhenSkipIfRetryVerifyAndLoops() throws {
    try scratch.write("features.yaml", """
      runbook: 1
      name: features
      params:
        hosts: { type: list, default: [a, b, c] }
      steps:
        - id: never
          when: ${{ len(params.hosts) > 5 }}
          action: exec
          with: { argv: [touch, never-ran] }
        - id: done-already
          skip_if:
            - check: file.stat
              with: { path: features.yaml }
              expect: ${{ check.exists }}
          action: exec
          with: { argv: [touch, skip-ran] }
        - id: flaky
          retry: { attempts: 3, delay: 10ms }
          action: shell
          with: { run: "echo x >> tries; test $(wc -l < tries) -ge 2" }
        - id: each
          for_each: ${{ params.hosts }}
          as: host
          max_parallel: 2
          action: shell
          with: { run: "echo ${{ host }} > host-${{ host }}; echo ${{ host }}" }
          verify:
            - check: file.stat
              with: { path: "host-${{ host }}" }
              expect: ${{ check.size > 0 }}
        - id: joined
          needs: [each]
          action: exec
          with: { argv: [echo, "${{ join(steps.each.outputs.exit_code, ',') }}"] }
      """)
    let result = try runbook(["apply", "features.yaml", "--yes", "--run-id", "f"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertFalse(scratch.exists("never-ran"))
    XCTAssertFalse(scratch.exists("skip-ran"))
    XCTAssertEqual(scratch.read("tries"), "x\nx\n")
    XCTAssertEqual(scratch.read("host-b"), "b\n")
    let records = try store().steps(ofRun: "f")
    XCTAssertEqual(records.first { $0.step == "never" }?.status, .skipped)
    XCTAssertEqual(records.first { $0.step == "done-already" }?.message, "already done (skip_if)")
    XCTAssertEqual(records.first { $0.step == "flaky" }?.attempts, 2)
    let iterations = records.filter { $0.step == "each" && $0.iteration != nil }.sorted { ($0.iteration ?? 0) < ($1.iteration ?? 0) }
    XCTAssertEqual(iterations.map(\.item), [.string("a"), .string("b"), .string("c")], "one record per item, in item order")
    XCTAssertTrue(result.stdout.contains("  joined | 0,0,0"), result.stdout)
  }

  func testATimeoutKillsTheWholeProcessTree() throws {
    try scratch.write("slow.yaml", """
      runbook: 1
      name: slow
      steps:
        - id: slow
          timeout: 1s
          action: shell
          with: { run: "sleep 60 & echo $! > child.pid; wait" }
      """)
    let started = Date()
    let result = try runbook(["apply", "slow.yaml", "--yes"])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stdout.contains("timed out after 1s"), result.stdout)
    XCTAssertLessThan(Date().timeIntervalSince(started), 30)
    let child = try XCTUnwrap(Int32(scratch.read("child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
    usleep(200_000)
    XCTAssertFalse(Self.isAlive(child), "the background grandchild was killed with its group")
  }

  /// Alive and not a zombie waiting for a parent that will never reap it.
  static func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return true }
    return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
  }

  func testValuesNeverBecomeShellSyntaxAndSecretsNeverLeak() throws {
    let evil = #"x'; touch pwned1; echo '$(touch pwned2)"`touch pwned3`"; touch pwned4 #\"#
    try scratch.write("quoting.yaml", """
      runbook: 1
      name: quoting
      params:
        value: { type: string }
        token: { type: string, secret: true }
      steps:
        - id: contexts
          action: shell
          with:
            run: |
              printf '%s\\n' bare=${{ params.value }}
              printf '%s\\n' "double=${{ params.value }}"
              printf '%s\\n' 'single=${{ params.value }}'
              printf '%s\\n' "sub=$(printf '%s' ${{ params.value }})"
              cat <<END
              heredoc=${{ params.value }}
              END
        - id: secret
          action: shell
          with: { run: "echo token=${{ params.token }}; echo ${{ params.token }} >&2" }
      """)
    let token = "hunter2-\(UUID().uuidString)"
    let result = try runbook(["apply", "quoting.yaml", "--yes", "--run-id", "q", "-p", "value=\(evil)", "-p", "token=\(token)"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    for context in ["bare", "double", "single", "sub", "heredoc"] {
      XCTAssertTrue(result.stdout.contains("contexts | \(context)=\(evil)\n"), "\(context): \(result.stdout)")
    }
    for n in 1...4 { XCTAssertFalse(scratch.exists("pwned\(n)"), "pwned\(n) must not exist") }
    XCTAssertTrue(result.stdout.contains("secret | token=***"), result.stdout)
    XCTAssertFalse((result.stdout + result.stderr).contains(token))
    for (file, bytes) in scratch.allFiles(under: "state") {
      XCTAssertNil(bytes.range(of: Data(token.utf8)), "the secret is in \(file)")
    }
    let shown = try runbook(["show", "q"])
    XCTAssertFalse(shown.stdout.contains(token))
    XCTAssertTrue(shown.stdout.contains("token=***"), shown.stdout)

    let resumedWithout = try runbook(["resume", "q"])
    XCTAssertEqual(resumedWithout.status, 0, "a finished run needs no secret")
  }

  func testASealedPlanRunsExactlyAndATamperedOneIsRefused() throws {
    try scratch.write("sealed.yaml", """
      runbook: 1
      name: sealed
      params:
        word: { type: string, default: planned }
      steps:
        - id: say
          action: exec
          with: { argv: [echo, "${{ params.word }}"] }
      """)
    XCTAssertEqual(try runbook(["plan", "sealed.yaml", "-p", "word=reviewed", "--out", "change.plan"]).status, 0)
    try scratch.write("sealed.yaml", "runbook: 1\nname: sealed\nsteps:\n  - id: say\n    action: exec\n    with: { argv: [echo, changed] }\n")
    let applied = try runbook(["apply", "change.plan", "--yes", "--run-id", "p"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertTrue(applied.stdout.contains("say | reviewed"), applied.stdout)
    XCTAssertEqual(try store().run("p")?.fromPlanFile, true)

    let text = scratch.read("change.plan").replacingOccurrences(of: "reviewed", with: "tampered")
    try scratch.write("change.plan", text)
    let refused = try runbook(["apply", "change.plan", "--yes"])
    XCTAssertEqual(refused.status, 2)
    XCTAssertTrue(refused.stderr.contains("F603"), refused.stderr)
  }

  func testResumeRefusesAChangedRunbookUnlessAllowed() throws {
    let path = try scratch.write("changing.yaml", """
      runbook: 1
      name: changing
      steps:
        - id: gate
          approval: go?
          action: exec
          with: { argv: [echo, old] }
      """)
    XCTAssertEqual(try runbook(["apply", "changing.yaml", "--yes", "--run-id", "c"]).status, 4)
    try scratch.write("changing.yaml", try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "old", with: "new"))
    let refused = try runbook(["resume", "c", "--approve", "gate"])
    XCTAssertEqual(refused.status, 2)
    XCTAssertTrue(refused.stderr.contains("changed since run c began"), refused.stderr)
    let allowed = try runbook(["resume", "c", "--approve", "gate", "--allow-changed"])
    XCTAssertEqual(allowed.status, 0, allowed.stderr)
    XCTAssertTrue(allowed.stdout.contains("gate | new"), allowed.stdout)
  }

  func testJSONEventsOnePerLine() throws {
    try scratch.write("events.yaml", "runbook: 1\nname: events\nsteps:\n  - id: one\n    action: exec\n    with: { argv: [echo, hi] }\n")
    let result = try runbook(["apply", "events.yaml", "--yes", "--format", "json", "--run-id", "e"])
    XCTAssertEqual(result.status, 0)
    let events = result.stdout.split(separator: "\n").map { JSONValue.parse(String($0)) }
    XCTAssertFalse(events.contains { $0 == nil }, result.stdout)
    XCTAssertEqual(events.compactMap { $0?["event"] }, [
      .string("run.started"), .string("step.started"), .string("step.output"), .string("step.finished"), .string("run.finished"),
    ])
    XCTAssertEqual(events[2]?["line"], .string("hi"))
    XCTAssertEqual(events[4]?["status"], .string("succeeded"))
  }

  func testWaitSleepsOrPollsACheckUntilItHolds() throws {
    try scratch.write("wait.yaml", """
      runbook: 1
      name: wait
      steps:
        - id: later
          action: shell
          with: { run: "(sleep 1; touch flag) > /dev/null 2>&1 &" }
        - id: pause
          action: wait
          with: { duration: 200ms }
        - id: poll
          needs: [later]
          action: wait
          with: { check: file.stat, with: { path: flag }, expect: "${{ check.exists }}", within: 10s, every: 100ms }
        - id: never
          needs: [poll]
          action: wait
          with: { check: file.stat, with: { path: missing }, expect: "${{ check.exists }}", within: 500ms, every: 100ms }
      """)
    let result = try runbook(["apply", "wait.yaml", "--yes", "--run-id", "w"])
    XCTAssertEqual(result.status, 1, result.stdout)
    let records = Dictionary(try store().steps(ofRun: "w").map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(records["pause"]?.status, .succeeded)
    XCTAssertEqual(records["poll"]?.status, .succeeded)
    if case .int(let polls)? = records["poll"]?.outputs["polls"] { XCTAssertGreaterThan(polls, 1) } else { XCTFail("no polls output") }
    XCTAssertEqual(records["never"]?.status, .failed)
    XCTAssertTrue(records["never"]?.message?.contains("file.stat did not hold within 500ms") == true, records["never"]?.message ?? "")
  }

  func testResumeAsksForSecretsAgain() throws {
    try scratch.write("secret.yaml", """
      runbook: 1
      name: secret
      params:
        token: { type: string, secret: true, required: true, env: DEMO_TOKEN, description: API token }
      steps:
        - id: gate
          approval: go?
          action: shell
          with: { run: "echo using ${{ params.token }}" }
      """)
    let token = "tok-\(UUID().uuidString)"
    XCTAssertEqual(try runbook(["apply", "secret.yaml", "--yes", "--run-id", "s", "-p", "token=\(token)"]).status, 4)
    let without = try runbook(["resume", "s", "--approve", "gate"])
    XCTAssertEqual(without.status, 2)
    XCTAssertTrue(without.stderr.contains("missing required param 'token'"), without.stderr)
    let again = try runbook(["resume", "s", "--approve", "gate"], environment: ["DEMO_TOKEN": token])
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stdout.contains("gate | using ***"), again.stdout)
    for (file, bytes) in scratch.allFiles(under: "state") {
      XCTAssertNil(bytes.range(of: Data(token.utf8)), "the secret is in \(file)")
    }
  }

  func testProcessInputsEnvCwdJSONAndAMissingProgram() throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/sub", withIntermediateDirectories: true)
    try scratch.write("process.yaml", """
      runbook: 1
      name: process
      steps:
        - id: json
          action: shell
          with:
            run: |
              printf '{"members": [{"name": "%s", "dir": "%s"}]}' "$WHO" "$(basename "$PWD")"
            env: { WHO: etcd-1 }
            cwd: sub
            parse: json
        - id: use
          needs: [json]
          action: exec
          with: { argv: [echo, "${{ steps.json.outputs.json.members[0].name }} in ${{ steps.json.outputs.json.members[0].dir }}"] }
        - id: missing
          needs: [use]
          action: exec
          with: { argv: [/no/such/program] }
      """)
    let result = try runbook(["apply", "process.yaml", "--yes"])
    XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("use | etcd-1 in sub"), result.stdout)
    XCTAssertTrue(result.stdout.contains("cannot run /no/such/program: No such file or directory"), result.stdout)
  }
}
