import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// External actions: the example plugin in examples/plugins, and broken ones, through the CLI.
final class PluginTests: XCTestCase {
  var scratch: ScratchDirectory!
  var environment: [String: String] = [:]

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("plugins")
    try FileManager.default.createDirectory(atPath: scratch.path + "/broken", withIntermediateDirectories: true)
    environment = [
      "RUNBOOK_PLUGIN_PATH": Repository.path("examples/plugins"), "RUNBOOK_STATE_DIR": scratch.path + "/state",
    ]
  }

  func writePlugin(_ name: String, _ script: String) throws {
    let path = try scratch.write("broken/runbook-action-\(name)", "#!/bin/sh\n" + script + "\n")
    chmod(path, 0o755)
  }

  func runbook(_ arguments: [String], extraPath: Bool = false) throws -> CommandLineTool.Result {
    var env = environment
    if extraPath { env["RUNBOOK_PLUGIN_PATH"]! += ":" + scratch.path + "/broken" }
    return try CommandLineTool.run(arguments, in: scratch.path, environment: env)
  }

  func testAPluginIsListedValidatedPlannedAndRun() throws {
    let listed = try runbook(["actions", "team.greet"])
    XCTAssertEqual(listed.status, 0, listed.stderr)
    XCTAssertTrue(listed.stdout.contains("who"), listed.stdout)
    try scratch.write("greet.yaml", """
      runbook: 1
      name: greet
      steps:
        - id: greet
          action: team.greet
          with: { who: ops, shout: true }
        - id: echo
          needs: [greet]
          action: exec
          with: { argv: [echo, "${{ steps.greet.outputs.greeting }} (${{ steps.greet.outputs.length }})"] }
      """)
    XCTAssertEqual(try runbook(["validate", "greet.yaml"]).status, 0)
    try scratch.write("bad.yaml", "runbook: 1\nname: bad\nsteps:\n  - id: greet\n    action: team.greet\n    with: { whom: ops }\n")
    let invalid = try runbook(["validate", "bad.yaml"])
    XCTAssertEqual(invalid.status, 2)
    XCTAssertTrue(invalid.stderr.contains("whom"), invalid.stderr)
    let plan = try runbook(["plan", "greet.yaml"])
    XCTAssertTrue(plan.stdout.contains("runbook-action-team-greet run who=ops shout=true"), plan.stdout)
    let applied = try runbook(["apply", "greet.yaml", "--yes"])
    XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
    XCTAssertTrue(applied.stdout.contains("greet ! greeting ops for step greet"), applied.stdout)
    XCTAssertTrue(applied.stdout.contains("echo | HELLO, OPS (10)"), applied.stdout)
  }

  func testBrokenPluginsGiveClearErrors() throws {
    try writePlugin("bad-json", #"echo '{"name": '"#)
    try writePlugin("no-describe", #"echo "unknown command: $1" >&2; exit 64"#)
    try writePlugin("fails", """
      if [ "$1" = describe ]; then echo '{"name": "fails", "effect": "mutating", "idempotent": false}'; exit 0; fi
      echo "cannot reach the API server" >&2; exit 3
      """)
    let listed = try runbook(["actions"], extraPath: true)
    XCTAssertEqual(listed.status, 0)
    XCTAssertTrue(listed.stderr.contains("runbook-action-bad-json: 'describe' printed something that is not a JSON object"), listed.stderr)
    XCTAssertTrue(listed.stderr.contains("runbook-action-no-describe: 'describe' exited with status 64: unknown command: describe"), listed.stderr)
    XCTAssertTrue(listed.stdout.contains("fails"), listed.stdout)
    try scratch.write("fails.yaml", "runbook: 1\nname: fails\nsteps:\n  - id: call\n    action: fails\n")
    let failed = try runbook(["apply", "fails.yaml", "--yes"], extraPath: true)
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.stdout.contains("plugin fails exited with status 3: cannot reach the API server"), failed.stdout)
  }
}
