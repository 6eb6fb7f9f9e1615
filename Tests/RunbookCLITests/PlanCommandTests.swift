import Foundation
import RunbookTestSupport
import XCTest

/// `runbook plan` in every format, params from every source, and sealed plan files.
final class PlanCommandTests: XCTestCase {
  /// The snapshots pin programs on PATH: a fixed PATH keeps them the same on every machine.
  static let fixedPath = ["PATH": "/usr/bin"]

  func testPlanFormatsOfTheParallelExample() throws {
    for format in ["text", "markdown", "dot", "mermaid", "json"] {
      let result = try CommandLineTool.run(
        ["plan", "runbooks/examples/parallel-dag.yaml", "--format", format, "-p", "sources=/etc/hostname,/etc/hosts,/etc/os-release"],
        environment: Self.fixedPath)
      XCTAssertEqual(result.status, 0, result.stderr)
      assertSnapshot(result.stdout, named: "plan-parallel-dag-\(format)")
    }
  }

  func testValuesKnownOnlyAtRunTimeAreShownAsSuch() throws {
    let result = try CommandLineTool.run(["plan", "Tests/RunbookCLITests/Fixtures/runtime.yaml"], environment: ["PATH": "/nonexistent"])
    XCTAssertEqual(result.status, 0, result.stderr)
    assertSnapshot(result.stdout, named: "plan-runtime-text")
  }

  func testEveryParamProblemIsReportedAtOnceWithDescriptions() throws {
    let result = try CommandLineTool.run([
      "plan", "Tests/RunbookCLITests/Fixtures/params.yaml", "-p", "force=perhaps", "-p", "host=Bad_Host", "-p", "nosuch=1",
      "-p", "novalue", "--params", "Tests/RunbookCLITests/Fixtures/bad-params.yaml",
    ])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(result.stdout, "")
    assertSnapshot(result.stderr, named: "plan-param-problems")
  }

  func testParamsAreTypedAndSecretsNeverPrinted() throws {
    let result = try CommandLineTool.run(
      ["plan", "Tests/RunbookCLITests/Fixtures/params.yaml", "-p", "endpoints=[https://a:2379, https://b:2379]", "-p", "count=3"],
      environment: ["DEMO_TOKEN": "s3cr3t-value"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertFalse(result.stdout.contains("s3cr3t-value"))
    XCTAssertTrue(result.stdout.contains("$ DEMO_TOKEN=(secret) echo 'https://a:2379 https://b:2379' 6"), result.stdout)
    XCTAssertTrue(result.stdout.contains("token     = (secret)  (environment)"), result.stdout)
  }

  func testAnExpressionThatFailsWithKnownValuesIsAnError() throws {
    let result = try CommandLineTool.run(["plan", "Tests/RunbookCLITests/Fixtures/params.yaml", "-p", "endpoints=a", "-p", "count=4611686018427387904"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("error[E312]: cannot evaluate before the run: integer overflow in 4611686018427387904 * 2"), result.stderr)
  }

  func testSealedPlanFileRoundTripsAndRefusesTampering() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let planPath = directory + "/change.plan"
    let arguments = ["Tests/RunbookCLITests/Fixtures/params.yaml", "-p", "endpoints=https://a:2379", "-p", "count=2", "-p", "token=hunter2"]
    let made = try CommandLineTool.run(["plan"] + arguments + ["--out", planPath])
    XCTAssertEqual(made.status, 0, made.stderr)
    let text = try String(contentsOfFile: planPath, encoding: .utf8)
    XCTAssertFalse(text.contains("hunter2"), "a secret leaked into the plan file")
    XCTAssertTrue(text.contains("\"secret_params\": [\n    \"token\"\n  ]"), text)
    let attributes = try FileManager.default.attributesOfItem(atPath: planPath)
    XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

    let shown = try CommandLineTool.run(["plan", planPath, "-p", "token=hunter2"])
    XCTAssertEqual(shown.status, 0, shown.stderr)
    func withoutOrigins(_ text: String) -> String {
      ["  (plan file)", "  (command line)", "  (default)"].reduce(text) { $0.replacingOccurrences(of: $1, with: "") }
    }
    XCTAssertEqual(withoutOrigins(shown.stdout), withoutOrigins(made.stdout))
    XCTAssertTrue(shown.stdout.contains("count     = 2  (plan file)"), shown.stdout)
    let overridden = try CommandLineTool.run(["plan", planPath, "-p", "count=5"])
    XCTAssertEqual(overridden.status, 2)
    XCTAssertTrue(overridden.stderr.contains("error[P213]: param 'count' is sealed in the plan file"), overridden.stderr)

    try text.replacingOccurrences(of: "https://a:2379", with: "https://evil:2379").write(toFile: planPath, atomically: true, encoding: .utf8)
    let tampered = try CommandLineTool.run(["plan", planPath])
    XCTAssertEqual(tampered.status, 2)
    XCTAssertTrue(tampered.stderr.contains("error[F603]: \(planPath) was modified or corrupted after it was written"), tampered.stderr)

    try String(text.prefix(200)).write(toFile: planPath, atomically: true, encoding: .utf8)
    let truncated = try CommandLineTool.run(["plan", planPath])
    XCTAssertEqual(truncated.status, 2)
    XCTAssertTrue(truncated.stderr.contains("error[F601]"), truncated.stderr)
  }

  func testNamesAreFoundOnTheSearchPath() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("path-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory + "/team", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "runbook: 1\nname: team-task\ntitle: Ours\nsteps:\n  - id: a\n    action: noop\n"
      .write(toFile: directory + "/team/task.yaml", atomically: true, encoding: .utf8)
    let env = ["RUNBOOK_PATH": "/nonexistent:\(directory)"]
    let plan = try CommandLineTool.run(["plan", "team-task"], environment: env)
    XCTAssertEqual(plan.status, 0, plan.stderr)
    XCTAssertTrue(plan.stdout.hasPrefix("Plan: team-task — Ours\n"), plan.stdout)
    let list = try CommandLineTool.run(["list"], environment: env)
    XCTAssertTrue(list.stdout.contains("team-task"), list.stdout)
    XCTAssertTrue(list.stdout.contains("hello"), list.stdout)
    let missing = try CommandLineTool.run(["plan", "no-such-runbook"], environment: env)
    XCTAssertEqual(missing.status, 2)
  }
}
