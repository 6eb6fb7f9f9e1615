import Foundation
import RunbookTestSupport
import XCTest

/// Issue 10 §11 against the real binary: nothing in input crashes or hangs it. Anything that is
/// not a regular file is refused without blocking; expressions are bounded; `env:` keys are
/// names; excerpts are cut; a hanging plugin is killed with its children.
final class HostileInputTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("hostile-input")
  }

  func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, environment: environment)
  }

  func testADirectoryAFIFOAndADeviceAreRefusedWithoutBlocking() throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/dir", withIntermediateDirectories: true)
    XCTAssertEqual(mkfifo(scratch.path + "/fifo", 0o600), 0)
    try scratch.write("ok.yaml", "runbook: 1\nname: ok\nsteps:\n  - id: a\n    action: noop\n")
    let cases: [([String], String)] = [
      (["plan", "dir"], "dir: error[Y015]: cannot read dir: it is a directory, not a regular file"),
      (["plan", "fifo"], "fifo: error[Y015]: cannot read fifo: it is a FIFO, not a regular file"),
      (["apply", "fifo", "--yes"], "fifo: error[Y015]: cannot read fifo: it is a FIFO, not a regular file"),
      (["describe", "fifo"], "fifo: error[Y015]: cannot read fifo: it is a FIFO, not a regular file"),
      (["validate", "fifo"], "fifo: error[Y015]: cannot read fifo: it is a FIFO, not a regular file"),
      (["plan", "/dev/zero"], "/dev/zero: error[Y015]: cannot read /dev/zero: it is a character device, not a regular file"),
      (["plan", "ok.yaml", "--params", "fifo"], "fifo: error[Y015]: cannot read fifo: it is a FIFO, not a regular file"),
      (["plan", "ok.yaml", "--params", "/dev/zero"], "/dev/zero: error[Y015]: cannot read /dev/zero: it is a character device, not a regular file"),
    ]
    for (arguments, first) in cases {
      let result = try runbook(arguments)
      XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
      XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), first, "\(arguments)")
    }
  }

  func testALongOperatorChainIsADiagnosticNotACrash() throws {
    let chain = Array(repeating: "1", count: 4000).joined(separator: " + ")
    try scratch.write("chain.yaml", "runbook: 1\nname: chain\nsteps:\n  - id: a\n    action: exec\n    with: { argv: [echo, \"${{ \(chain) }}\"] }\n")
    let result = try runbook(["validate", "chain.yaml"])
    XCTAssertEqual(result.status, 2, result.stderr)
    XCTAssertTrue(result.stderr.contains("error[E301]: expression: an expression of more than 512 tokens"), result.stderr)
    XCTAssertLessThan(result.stderr.utf8.count, 1000, "the excerpt of a 16 KB line is cut")
  }

  func testEnvironmentKeysMustBeNames() throws {
    try scratch.write("env.yaml", """
      runbook: 1
      name: env
      steps:
        - id: a
          action: exec
          with:
            argv: [env]
            env: { "A=B": x, "": y, "X\\nY": z, OK_1: fine }
        - id: b
          action: file.set-env
          with: { path: /tmp/nowhere, set: { "1ST": x } }
      """)
    let result = try runbook(["validate", "env.yaml"])
    XCTAssertEqual(result.status, 2)
    let lines = result.stderr.split(separator: "\n").filter { $0.contains("error[") }
    XCTAssertEqual(lines, [
      "env.yaml:8:14: error[A506]: 'A=B' is not an environment variable name; names are [A-Za-z_][A-Za-z0-9_]*",
      "env.yaml:8:24: error[A506]: '' is not an environment variable name; names are [A-Za-z_][A-Za-z0-9_]*",
      "env.yaml:8:31: error[A506]: 'X\\nY' is not an environment variable name; names are [A-Za-z_][A-Za-z0-9_]*",
      "env.yaml:11:40: error[A506]: '1ST' is not an environment variable name; names are [A-Za-z_][A-Za-z0-9_]*",
    ])
  }

  func testADiagnosticAboutAHugeValueShowsAWindowOfItsLine() throws {
    try scratch.write("huge.yaml", "runbook: 1\nname: huge\nparams:\n  v: { type: string, pattern: \"[a-z]+\" }\nsteps:\n  - id: a\n    action: noop\n")
    try scratch.write("huge-params.yaml", "v: \"" + String(repeating: "X", count: 6 << 20) + "\"\n")
    let result = try runbook(["plan", "huge.yaml", "--params", "huge-params.yaml"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("does not match the pattern"), String(result.stderr.prefix(400)))
    XCTAssertLessThan(result.stderr.utf8.count, 2000, "a 6 MB line is not echoed")
  }

  func testAValueOverTheKernelsArgumentLimitIsRefusedAtPlanTime() throws {
    try scratch.write("argmax.yaml", """
      runbook: 1
      name: argmax
      params:
        v: { type: string }
      steps:
        - id: a
          action: exec
          with: { argv: [echo, "${{ params.v }}"] }
        - id: b
          action: shell
          with: { run: "printf '%s' ${{ params.v }} | wc -c" }
      """)
    try scratch.write("big.yaml", "v: \"" + String(repeating: "x", count: 200_000) + "\"\n")
    for command in ["plan", "apply"] {
      let result = try runbook([command, "argmax.yaml", "--params", "big.yaml"] + (command == "apply" ? ["--yes"] : []))
      XCTAssertEqual(result.status, 2, result.stderr)
      let errors = result.stderr.split(separator: "\n").filter { $0.contains("error[E313]") }
      XCTAssertEqual(errors, [
        "argmax.yaml:8:19: error[E313]: cannot pass to the program: argument 1 is 200000 bytes; the kernel passes at most 131071 bytes per argument: write the value to a file and pass its path",
        "argmax.yaml:11:18: error[E313]: cannot pass to the program: the value of RUNBOOK_VALUE_1 is 200000 bytes; the kernel passes at most 131055 bytes in one environment variable: write the value to a file and pass its path",
      ])
    }
  }

  func testAPluginWhoseDescribeHangsIsKilledWithItsChildren() throws {
    try FileManager.default.createDirectory(atPath: scratch.path + "/plugins", withIntermediateDirectories: true)
    let plugin = try scratch.write("plugins/runbook-action-hang", "#!/bin/sh\nsleep 300 &\necho $! > '\(scratch.path)/child.pid'\nsleep 300\n")
    chmod(plugin, 0o755)
    let result = try runbook(["actions"], environment: ["RUNBOOK_PLUGIN_PATH": scratch.path + "/plugins"])
    XCTAssertTrue(result.stderr.contains("'describe' did not answer within 10s; it and its children were killed"), result.stderr)
    let child = try XCTUnwrap(Int32(scratch.read("child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
    var gone = false
    for _ in 0..<50 where !gone {
      let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
      gone = state == nil || state == "Z"
      if !gone { usleep(100_000) }
    }
    XCTAssertTrue(gone, "the plugin's child \(child) outlived it")
  }
}
