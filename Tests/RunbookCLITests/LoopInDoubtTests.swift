import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §9 against the real binary: a `for_each` with `max_parallel: 2` killed with one
/// iteration's push done and one not is settled iteration by iteration — `show` names each in
/// doubt, `--mark-done push[0]` and `--retry push[1]` push each node exactly once.
final class LoopInDoubtTests: XCTestCase {
  func testInDoubtIterationsAreSettledOneByOne() throws {
    let scratch = try ScratchDirectory("loop-in-doubt")
    try scratch.write("push.yaml", """
      runbook: 1
      name: push
      steps:
        - id: push
          for_each: ${{ ['node-a', 'node-b'] }}
          max_parallel: 2
          action: shell
          with:
            run: |
              case ${{ item }} in
              node-a)
                echo node-a >> ledger
                # Once node-b runs (its start journaled before its shell starts), the engine
                # dies right after node-a's push, before it journals it.
                for i in $(seq 1 50); do [ -e b.pid ] && break; sleep 0.1; done
                kill -9 $PPID
                ;;
              node-b)
                # Waits for `go`, and gives up when the engine that started it is gone.
                echo $$ > b.pid
                engine=$PPID
                # Started after the engine died, it was adopted: nobody waits for it.
                [ "$engine" -ne 1 ] || exit 3
                for i in $(seq 1 50); do [ -e go ] && break; kill -0 $engine 2>/dev/null || exit 3; sleep 0.1; done
                [ -e go ] || exit 3
                echo node-b >> ledger
                ;;
              esac
      """)
    let environment = ["RUNBOOK_STATE_DIR": scratch.path + "/state"]
    let killed = try CommandLineTool.run(["apply", "push.yaml", "--yes", "--run-id", "r1"], in: scratch.path, environment: environment)
    XCTAssertEqual(killed.status, 128 + SIGKILL, "SIGKILL: \(killed.stdout)")
    XCTAssertEqual(scratch.read("ledger"), "node-a\n")
    // The killed engine's node-b may still be waiting: it must be gone before `go` appears,
    // or it would push too (it gives up within 5 s).
    // Its shell may start only after the engine died (then it was never journaled as started):
    // give it a moment to say who it is.
    for _ in 0..<30 where !scratch.exists("b.pid") { usleep(100_000) }
    if let pid = Int32(scratch.read("b.pid").trimmingCharacters(in: .whitespacesAndNewlines)) {
      for _ in 0..<100 where kill(pid, 0) == 0 { usleep(100_000) }
    }

    let first = try CommandLineTool.run(["resume", "r1"], in: scratch.path, environment: environment)
    XCTAssertEqual(first.status, 3, first.stdout + first.stderr)
    let shown = try CommandLineTool.run(["show", "r1"], in: scratch.path, environment: environment)
    XCTAssertTrue(shown.stdout.contains("in doubt: push[0], push[1]"), shown.stdout)
    XCTAssertTrue(shown.stdout.contains("then: runbook resume r1 --retry push[0] (run it again) or --mark-done push[0] (count it done)"), shown.stdout)
    XCTAssertTrue(shown.stdout.contains("e.g.: runbook resume r1 --retry push[0] --state-dir "), shown.stdout)

    let wrong = try CommandLineTool.run(["resume", "r1", "--retry", "push[x]"], in: scratch.path, environment: environment)
    XCTAssertEqual(wrong.status, 2)
    XCTAssertTrue(wrong.stderr.contains("'push[x]' names no iteration"), wrong.stderr)

    try scratch.write("go", "")
    let settled = try CommandLineTool.run(["resume", "r1", "--mark-done", "push[0]", "--retry", "push[1]"], in: scratch.path, environment: environment)
    XCTAssertEqual(settled.status, 0, settled.stdout + settled.stderr)
    XCTAssertEqual(scratch.read("ledger"), "node-a\nnode-b\n", "each node pushed exactly once")
  }
}
