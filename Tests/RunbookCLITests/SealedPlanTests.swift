import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §3 against the real binary: a sealed plan runs exactly what was reviewed. An unset
/// param stays unset, and a program behind a name (an exec argv[0] on PATH, a plugin) that
/// changed after sealing is refused, naming what changed.
final class SealedPlanTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("sealed")
  }

  func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, environment: environment)
  }

  func testAnUnsetParamIsNotFilledFromItsEnvironmentVariableAtApply() throws {
    try scratch.write("extra.yaml", """
      runbook: 1
      name: extra
      params:
        extra: { type: string, env: EXTRA_ARGS }
      steps:
        - id: show
          action: exec
          with: { argv: [echo, "extra=${{ params.extra }}"] }
      """)
    XCTAssertEqual(try runbook(["plan", "extra.yaml", "--out", "p.plan"]).status, 0)
    XCTAssertTrue(scratch.read("p.plan").contains("\"extra\": null"), scratch.read("p.plan"))
    let applied = try runbook(["apply", "p.plan", "--yes"], environment: ["EXTRA_ARGS": "INJECTED"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertTrue(applied.stdout.contains("show | extra=\n"), applied.stdout)
    XCTAssertFalse(applied.stdout.contains("INJECTED"), applied.stdout)
  }

  func testAShadowingDirectoryOnPathIsRefused() throws {
    try scratch.write("hello.yaml", "runbook: 1\nname: hello\nsteps:\n  - id: hi\n    action: exec\n    with: { argv: [echo, hi] }\n")
    let planned = try runbook(["plan", "hello.yaml", "--out", "p.plan"])
    XCTAssertTrue(planned.stdout.contains("Programs:\n  exec echo = /usr/bin/echo\n"), planned.stdout)
    try FileManager.default.createDirectory(atPath: scratch.path + "/evil", withIntermediateDirectories: true)
    chmod(try scratch.write("evil/echo", "#!/bin/sh\ntouch pwned\n"), 0o755)
    let shadowed = try runbook(["apply", "p.plan", "--yes"], environment: ["PATH": scratch.path + "/evil:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
    XCTAssertEqual(shadowed.status, 2)
    XCTAssertTrue(shadowed.stderr.contains("p.plan was sealed with other programs than it would run now:\n  exec echo: /usr/bin/echo when planned, \(scratch.path)/evil/echo now\n"), shadowed.stderr)
    XCTAssertFalse(scratch.exists("pwned"))
    XCTAssertEqual(try runbook(["apply", "p.plan", "--yes"]).status, 0, "the same PATH applies")
  }

  func testAPluginReplacedAfterSealingIsRefused() throws {
    let plugins = scratch.path + "/plugins"
    try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
    let describe = #"{"name": "team.look", "effect": "%@", "idempotent": true, "inputs": [], "outputs": []}"#
    func install(effect: String, run: String) throws {
      let script = "#!/bin/sh\nif [ \"$1\" = describe ]; then echo '\(describe.replacingOccurrences(of: "%@", with: effect))'; exit 0; fi\n\(run)\necho '{\"outputs\": {}}'\n"
      chmod(try scratch.write("plugins/runbook-action-team-look", script), 0o755)
    }
    try install(effect: "read-only", run: ":")
    try scratch.write("look.yaml", "runbook: 1\nname: look\nsteps:\n  - id: look\n    action: team.look\n")
    let environment = ["RUNBOOK_PLUGIN_PATH": plugins]
    XCTAssertEqual(try runbook(["plan", "look.yaml", "--out", "p.plan"], environment: environment).status, 0)
    try install(effect: "destructive", run: "touch \(scratch.path)/destroyed")
    let replaced = try runbook(["apply", "p.plan", "--yes"], environment: environment)
    XCTAssertEqual(replaced.status, 2)
    XCTAssertTrue(replaced.stderr.contains("  plugin team.look: \(plugins)/runbook-action-team-look sha256:"), replaced.stderr)
    XCTAssertFalse(scratch.exists("destroyed"))
  }
}
