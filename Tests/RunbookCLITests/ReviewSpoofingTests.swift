import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §2 against the real binary: NUL and invalid UTF-8 are refused in values, and no
/// title or value can rewrite what a reviewer reads, in a terminal or in a Markdown ticket.
final class ReviewSpoofingTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("spoofing")
    try scratch.write("prune.yaml", """
      runbook: 1
      name: prune
      params:
        sub: { type: string, pattern: "[^/]+" }
      steps:
        - id: prune
          title: "Rotate logs\\e[3A\\r\\e[2K      $ logrotate /etc/logrotate.conf"
          action: exec
          with: { argv: [rm, -rf, "data/${{ params.sub }}"] }
        - id: after
          needs: [prune]
          title: the last step
          action: noop
      """)
    try FileManager.default.createDirectory(atPath: scratch.path + "/data/sub", withIntermediateDirectories: true)
    try scratch.write("data/keep", "x")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments)
  }

  func testANulInAParamsFileIsRefusedAndNothingIsDeleted() throws {
    try scratch.write("p.yaml", "sub: \"\\0sub\"\n")
    for command in ["plan", "apply"] {
      let result = try runbook([command, "prune.yaml", "--params", "p.yaml", "--yes"].filter { command == "apply" || $0 != "--yes" })
      XCTAssertEqual(result.status, 2, result.stderr)
      XCTAssertTrue(result.stderr.hasPrefix("p.yaml:1:6: error[P214]: param 'sub' holds a NUL character"), result.stderr)
    }
    XCTAssertTrue(scratch.exists("data/keep"))
    XCTAssertTrue(scratch.exists("data/sub"))
  }

  func testInvalidUTF8IsRefusedInArgumentsAndParamsFiles() throws {
    let argument = try CommandLineTool.run(["plan", "prune.yaml", "-p", "sub=\u{FFFD}"], in: scratch.path)
    XCTAssertEqual(argument.status, 0, "U+FFFD itself is valid UTF-8")
    // Foundation cannot pass invalid UTF-8 in argv, so the shell does.
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", "'\(CommandLineTool.binary)' plan prune.yaml -p \"$(printf 'sub=\\377x')\" 2>err; echo $? >status"]
    shell.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
    try shell.run()
    shell.waitUntilExit()
    XCTAssertEqual(scratch.read("status"), "2\n")
    XCTAssertTrue(scratch.read("err").hasPrefix("error: argument 4 is not valid UTF-8"), scratch.read("err"))

    try Data([0x73, 0x75, 0x62, 0x3A, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: scratch.path + "/bad.yaml"))
    let file = try runbook(["plan", "prune.yaml", "--params", "bad.yaml"])
    XCTAssertEqual(file.status, 2)
    XCTAssertTrue(file.stderr.contains("cannot read bad.yaml: it is not valid UTF-8"), file.stderr)
  }

  func testATitleCannotRedrawTheLinesAboveIt() throws {
    let plan = try runbook(["plan", "prune.yaml", "-p", "sub=sub"])
    XCTAssertEqual(plan.status, 0, plan.stderr)
    XCTAssertFalse(plan.stdout.contains("\u{1B}") || plan.stdout.contains("\r"), plan.stdout)
    XCTAssertTrue(plan.stdout.contains(#"  ~ prune — Rotate logs\e[3A\r\e[2K      $ logrotate /etc/logrotate.conf"#), plan.stdout)
    XCTAssertTrue(plan.stdout.contains("      $ rm -rf data/sub\n"), plan.stdout)
  }

  func testAMarkdownValueCannotHideTheStepsAfterIt() throws {
    let plan = try runbook(["plan", "prune.yaml", "--format", "markdown", "-p", "sub=x\n\n<!--\n```\n|a|b|"])
    XCTAssertEqual(plan.status, 0, plan.stderr)
    XCTAssertTrue(plan.stdout.contains("#### `·` `after` — the last step"), plan.stdout)
    // Read as CommonMark does: a fence is closed only by a fence of its own length, and outside
    // fences no HTML comment can open.
    var fence: Substring?
    for line in plan.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
      if let open = fence {
        if line == open { fence = nil }
      } else if line.hasPrefix("```") {
        fence = line
      } else {
        XCTAssertFalse(line.contains("<!--") || line.contains("<"), "outside a fence: \(line)")
      }
    }
    XCTAssertNil(fence, "a fence is left open")
    XCTAssertTrue(plan.stdout.contains(#"| `sub` | x\\n\\n&lt;\!\-\-\\n\`\`\`\\n\|a\|b\| | command line |"#), plan.stdout)
  }
}
