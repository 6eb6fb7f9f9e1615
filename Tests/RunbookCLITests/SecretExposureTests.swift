import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §8 against the real binary: a secret stays out of diagnostics and their excerpts,
/// loop items and their journal rows, `/proc/PID/cmdline`, and the journaled runbook text.
final class SecretExposureTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("secrets")
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments)
  }

  func testParamErrorsDoNotEchoASecret() throws {
    try scratch.write("s.yaml", """
      runbook: 1
      name: s
      params:
        tok: { type: string, secret: true, pattern: "[a-z]+" }
        mode: { type: string, secret: true, enum: [alpha, beta] }
        n: { type: int, secret: true }
      steps:
        - id: a
          action: noop
      """)
    try scratch.write("p.yaml", "tok: XYZSECRETTOK\nmode: SECRETMODE\nn: SECRETNUMBER\n")
    for arguments in [["-p", "tok=XYZSECRETTOK", "-p", "mode=SECRETMODE", "-p", "n=SECRETNUMBER"], ["--params", "p.yaml"]] {
      let result = try runbook(["plan", "s.yaml"] + arguments)
      XCTAssertEqual(result.status, 2)
      for secret in ["XYZSECRETTOK", "SECRETMODE", "SECRETNUMBER"] {
        XCTAssertFalse(result.stderr.contains(secret), result.stderr)
      }
      XCTAssertTrue(result.stderr.contains("param 'tok' value (secret, its value not shown) does not match the pattern [a-z]+"), result.stderr)
      XCTAssertTrue(result.stderr.contains("param 'mode' must be one of alpha, beta, (secret, its value not shown)"), result.stderr)
    }
  }

  func testItemsOfASecretListAreMaskedInOutputAndJournal() throws {
    try scratch.write("s.yaml", """
      runbook: 1
      name: s
      params:
        s: { type: list, secret: true }
      steps:
        - id: push
          for_each: ${{ params.s }}
          action: shell
          with: { run: "echo pushing ${{ item }}" }
      """)
    let result = try runbook(["apply", "s.yaml", "--yes", "--run-id", "r1", "-p", "s=itemsecret1,itemsecret2,ab"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertFalse(result.stdout.contains("itemsecret"), result.stdout)
    XCTAssertTrue(result.stdout.contains("  push[0] *** | pushing ***"), result.stdout)
    // Too short to mask in output, but an item of a secret list is still not named by it.
    XCTAssertTrue(result.stdout.contains("✓ push[2] *** ("), result.stdout)
    XCTAssertFalse(try runbook(["show", "r1"]).stdout.contains(#"item: "ab""#))
    let shown = try runbook(["show", "r1", "--format", "json"])
    XCTAssertFalse(shown.stdout.contains("itemsecret"), shown.stdout)
    for (_, data) in scratch.allFiles(under: "state") {
      XCTAssertNil(data.range(of: Data("itemsecret".utf8)), "a secret item is in the state directory")
    }
  }

  func testAnOptionalSecretGivenAtApplyIsAskedForAgainOnResume() throws {
    try scratch.write("w.yaml", """
      runbook: 1
      name: w
      params:
        tok: { type: string, secret: true, env: W_TOKEN }
      steps:
        - id: push
          approval: Push?
          action: shell
          with: { run: "echo length ${#TOKEN}", env: { TOKEN: "${{ params.tok }}" } }
      """)
    XCTAssertEqual(try runbook(["apply", "w.yaml", "--yes", "--run-id", "w1", "-p", "tok=abcdef"]).status, 4)
    let bare = try runbook(["resume", "w1", "--approve", "push"])
    XCTAssertEqual(bare.status, 2, bare.stdout)
    XCTAssertTrue(bare.stderr.contains("secret param 'tok' had a value when run w1 began and is never journaled; give it again with -p tok=VALUE or in $W_TOKEN"), bare.stderr)
    XCTAssertFalse(bare.stdout.contains("length"), "nothing ran without the secret")
    let empty = try scratch.runbook(["resume", "w1", "--approve", "push"], environment: ["W_TOKEN": ""])
    XCTAssertEqual(empty.status, 2, "an empty variable is no secret: \(empty.stdout)")
    let given = try scratch.runbook(["resume", "w1", "--approve", "push"], environment: ["W_TOKEN": "abcdef"])
    XCTAssertEqual(given.status, 0, given.stderr)
    XCTAssertTrue(given.stdout.contains("push | length 6"), given.stdout)
    for (_, data) in scratch.allFiles(under: "state") { XCTAssertNil(data.range(of: Data("abcdef".utf8)), "the secret is never journaled") }
  }

  func testASecretInArgvAndASecretDefaultAreRefusedAtValidate() throws {
    try scratch.write("s.yaml", """
      runbook: 1
      name: s
      params:
        tok: { type: string, secret: true }
        pw: { type: string, secret: true, default: hunter2 }
      steps:
        - id: call
          action: exec
          with: { argv: [curl, -H, "Authorization: Bearer ${{ params.tok }}", "https://127.0.0.1/"] }
        - id: ok
          action: exec
          with: { argv: [sh, -c, "test -n \\"$TOKEN\\""], env: { TOKEN: "${{ params.tok }}" } }
      """)
    let result = try runbook(["validate", "s.yaml"])
    XCTAssertEqual(result.status, 2)
    let errors = result.stderr.split(separator: "\n").filter { $0.contains("error[") }
    XCTAssertEqual(errors, [
      "s.yaml:5:37: error[P215]: secret param 'pw' has a default, which would be stored with the runbook text in every journal and plan",
      "s.yaml:9:53: error[A507]: secret param 'tok' in 'argv' of 'exec', which every local user can read in /proc/PID/cmdline",
    ])
  }
}
