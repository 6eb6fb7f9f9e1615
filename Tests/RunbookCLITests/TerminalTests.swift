import Foundation
import RunbookTestSupport
import XCTest

/// What an operator sees on a real terminal (tmux, read with `capture-pane`, scrollback
/// included): finished steps keep every output line, reports are printed whole, and nothing is
/// drawn on the approval prompt's line.
final class TerminalTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    // Not skipped: scripts/ensure-deps installs tmux, and a terminal test that does not run proves nothing.
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
      XCTFail("tmux is missing: scripts/ensure-deps installs it")
      throw XCTSkip("no tmux")
    }
    scratch = try ScratchDirectory("terminal")
  }

  func session(_ arguments: [String]) throws -> TerminalSession {
    try TerminalSession(arguments, in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
  }

  func testEveryOutputLineOfAFinishedStepStaysOnScreen() throws {
    try scratch.write("talk.yaml", """
      runbook: 1
      name: talk
      steps:
        - id: talk
          action: shell
          with: { run: "echo first line; echo second line >&2; sleep 1; echo third line" }
        - id: hello
          needs: [talk]
          action: exec
          with: { argv: [echo, "hello, world"] }
      """)
    let screen = try session(["apply", "talk.yaml", "--yes"]).waitForExit()
    XCTAssertTrue(screen.contains("[exit 0]"), screen)
    for line in ["✓ talk", "│ first line", "! second line", "│ third line", "✓ hello", "│ hello, world"] {
      XCTAssertTrue(screen.contains(line), "missing \(line):\n\(screen)")
    }
    let lines = screen.split(separator: "\n").map(String.init)
    let talk = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("✓ talk") })
    XCTAssertEqual(Array(lines[(talk + 1)...(talk + 3)]), ["  │ first line", "  ! second line", "  │ third line"], screen)
    XCTAssertFalse(screen.contains("…"), "the live block must be gone once the run ends:\n\(screen)")
  }

  func testAReadOnlyStepsReportIsPrintedWhole() throws {
    let tree = try KubeadmTree(in: scratch.path, validity: ["etcd/peer": .expiring])
    let shown = try session([
      "apply", Repository.path("runbooks/kubeadm-certs-check.yaml"), "--yes", "-p", "pki_dir=" + tree.pkiDirectory, "-p", "kubeconfig_dir=" + tree.kubernetesDirectory,
    ]).waitForExit()
    XCTAssertTrue(shown.contains("[exit 3]"), shown)
    XCTAssertTrue(shown.contains("RESIDUAL TIME"), shown)
    for leaf in KubeadmTree.leaves {
      XCTAssertTrue(shown.contains(leaf.name.replacingOccurrences(of: "/", with: "-")), "the table lost \(leaf.name):\n\(shown)")
    }
  }

  func testTheEtcdHealthTableStaysOnScreen() throws {
    try EtcdCluster.requireInstalled()
    let cluster = try EtcdCluster(size: 3)
    defer { cluster.stop() }
    let shown = try session([
      "apply", Repository.path("runbooks/etcd-health.yaml"), "--yes", "-p", "endpoints=" + cluster.endpoints.joined(separator: ","),
      "-p", "cacert=", "-p", "cert=", "-p", "key=", "-p", "command_timeout=2s",
    ]).waitForExit()
    XCTAssertTrue(shown.contains("[exit 0]"), shown)
    XCTAssertTrue(shown.contains("│ MEMBER"), shown)
    for member in cluster.members { XCTAssertTrue(shown.contains("│ \(member.name) "), "the table lost \(member.name):\n\(shown)") }
    XCTAssertTrue(shown.contains("│ 3 voters, 0 learners; quorum 2"), shown)
  }

  func testNothingIsDrawnOnTheApprovalPromptsLineAndHeldLinesFollowTheAnswer() throws {
    try scratch.write("gate.yaml", """
      runbook: 1
      name: gate
      steps:
        - id: chatter
          for_each: ${{ ['a', 'b', 'c', 'd', 'e'] }}
          as: x
          action: shell
          with: { run: "sleep 0.3; echo did ${{ x }}" }
        - id: gate
          approval: go ahead?
          action: exec
          with: { argv: [echo, approved] }
      """)
    let terminal = try session(["apply", "gate.yaml", "--yes"])
    try terminal.wait { $0.contains("Approve? [y/N]") }
    // The loop keeps finishing iterations while the question waits: none of it may land on the
    // prompt's line, or anywhere below it.
    usleep(2_000_000)
    let waiting = try terminal.screen()
    let promptLine = try XCTUnwrap(waiting.split(separator: "\n").last)
    XCTAssertEqual(promptLine, "Approve? [y/N]", waiting)
    try terminal.type("y")
    let screen = try terminal.waitForExit()
    XCTAssertTrue(screen.contains("[exit 0]"), screen)
    let lines = screen.split(separator: "\n").map(String.init)
    let answered = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Approve? [y/N]") })
    XCTAssertEqual(lines[answered], "Approve? [y/N] y", screen)
    for item in ["a", "b", "c", "d", "e"] { XCTAssertTrue(screen.contains("✓ chatter[\(["a", "b", "c", "d", "e"].firstIndex(of: item)!)] \(item)"), screen) }
    XCTAssertTrue(screen.contains("│ approved"), screen)
  }

  func testTwoApprovalsWaitingAtOnceAreAskedOneAtATime() throws {
    try scratch.write("two.yaml", """
      runbook: 1
      name: two
      steps:
        - id: first
          approval: First?
          action: exec
          with: { argv: [echo, first ran] }
        - id: second
          approval: Second?
          action: exec
          with: { argv: [echo, second ran] }
      """)
    let terminal = try session(["apply", "two.yaml", "--yes"])
    let asked = try terminal.wait { $0.contains("Approve? [y/N]") }
    XCTAssertEqual(asked.components(separatedBy: "Approve? [y/N]").count, 2, "one question at a time:\n\(asked)")
    let approved = asked.contains("Approval needed for step first:") ? "first" : "second"
    let declined = approved == "first" ? "second" : "first"
    try terminal.type("y")
    let next = try terminal.wait { $0.contains("Approval needed for step \(declined):") }
    XCTAssertEqual(next.split(separator: "\n").last, "Approve? [y/N]", next)
    try terminal.type("n")
    let screen = try terminal.waitForExit()
    XCTAssertTrue(screen.contains("[exit 4]"), screen)
    XCTAssertTrue(screen.contains("│ \(approved) ran"), screen)
    XCTAssertFalse(screen.contains("│ \(declined) ran"), screen)
    XCTAssertTrue(screen.contains("⏸ \(declined) awaits approval: approval declined"), screen)
  }

  func testCtrlCAtAQuestionStopsTheRunAtOnceAndTheStepsKeepWaiting() throws {
    try scratch.write("ask.yaml", """
      runbook: 1
      name: ask
      steps:
        - id: first
          approval: First?
          action: exec
          with: { argv: [echo, first ran] }
        - id: second
          approval: Second?
          action: exec
          with: { argv: [echo, second ran] }
      """)
    let terminal = try session(["apply", "ask.yaml", "--yes", "--run-id", "ask"])
    try terminal.wait { $0.contains("Approve? [y/N]") }
    try terminal.press("C-c")
    let screen = try terminal.waitForExit(seconds: 10)
    XCTAssertTrue(screen.contains("[exit 130]"), "SIGINT at a question ends the run without an answer:\n\(screen)")
    XCTAssertEqual(screen.components(separatedBy: "Approve? [y/N]").count, 2, "the second question is not asked:\n\(screen)")
    XCTAssertFalse(screen.contains("ran"), screen)
    let shown = try scratch.runbook(["show", "ask"]).stdout
    XCTAssertFalse(shown.contains("in doubt"), shown)
    XCTAssertFalse(shown.contains("declined"), "nobody declined:\n\(shown)")
  }

  func testTheLiveBlockLeavesNothingBehindWhenTallerThanTheTerminalOrWide() throws {
    try scratch.write("many.yaml", """
      runbook: 1
      name: many
      steps:
        - id: tick
          for_each: ${{ ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o'] }}
          as: x
          max_parallel: 15
          action: shell
          with: { run: "for i in 1 2 3 4 5 6; do echo 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字 $i; sleep 0.25; done" }
      """)
    let terminal = try TerminalSession(["apply", "many.yaml", "--yes"], in: scratch.path, environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"], width: 60, height: 12)
    let screen = try terminal.waitForExit()
    XCTAssertTrue(screen.contains("[exit 0]"), screen)
    XCTAssertFalse(screen.contains("  … "), "the live block left lines behind:\n\(screen)")
    XCTAssertEqual(screen.components(separatedBy: "✓ tick[").count - 1, 15, screen)
  }

  func testAPastedResumeHintFindsTheSameJournal() throws {
    try scratch.write("pause.yaml", """
      runbook: 1
      name: pause
      steps:
        - id: prune
          approval: prune?
          action: exec
          with: { argv: [echo, pruned] }
      """)
    let stateDirectory = scratch.path + "/elsewhere"
    let paused = try scratch.runbook(["apply", "pause.yaml", "--yes", "--state-dir", stateDirectory])
    XCTAssertEqual(paused.status, 4, paused.stderr)
    let hint = try XCTUnwrap(paused.stdout.split(separator: "\n").first { $0.contains("to continue: runbook resume") })
    let command = String(hint[hint.range(of: "runbook resume")!.upperBound...])
    XCTAssertTrue(command.contains("--state-dir \(stateDirectory)"), command)
    let home = scratch.path + "/home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    // Pasted into another shell: another directory, no RUNBOOK_STATE_DIR.
    let resumed = try CommandLineTool.run(
      ["resume"] + command.split(separator: " ").map(String.init), in: home, environment: ["HOME": home, "RUNBOOK_STATE_DIR": ""])
    XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    XCTAssertTrue(resumed.stdout.contains("pruned"), resumed.stdout)
    let missing = try CommandLineTool.run(["show", "nosuchrun"], in: home, environment: ["HOME": home, "RUNBOOK_STATE_DIR": ""])
    XCTAssertEqual(missing.status, 2)
    XCTAssertTrue(missing.stderr.contains("no run 'nosuchrun'"), missing.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home), [], "a lookup must create nothing")
  }
}
