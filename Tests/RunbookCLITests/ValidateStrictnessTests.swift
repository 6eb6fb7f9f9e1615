import Foundation
import RunbookTestSupport
import XCTest

/// `validate` is as strict as `plan` for everything that needs no param values, and its
/// diagnostics lead with the cause: what follows from an earlier problem is left out, counted.
final class ValidateStrictnessTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("validate-strict")
  }

  func codes(_ result: CommandLineTool.Result) -> Set<String> {
    Set(result.stderr.matches(of: /error\[([A-Z][0-9]{3})\]/).map { String($0.1) })
  }

  /// Runbooks that only `plan` refused before, one per code `plan` can emit beyond the loader's
  /// and checker's (E312: an expression failing on known values, E313: an argument too long for
  /// a program), and the issue's shell cases.
  static let planTimeCases: [(code: String, body: String)] = [
    ("E312", """
      params:
        keep: { type: int, default: 3 }
      steps:
        - id: one
          action: exec
          with: { argv: [echo, "${{ int('4x') + params.keep }}"] }
      """),
    ("E312", """
      params:
        items: { type: list, default: [a] }
      steps:
        - id: one
          for_each: ${{ params.items[3] }}
          action: exec
          with: { argv: [echo, "${{ item }}"] }
      """),
    ("E313", """
      params:
        blob: { type: string, default: "\(String(repeating: "x", count: 140_000))" }
      steps:
        - id: one
          action: exec
          with: { argv: [echo, "${{ params.blob }}"] }
      """),
    ("E312", """
      params:
        n: { type: int }
      steps:
        - id: one
          action: exec
          with: { argv: [echo, "${{ params.n + 1 }}"] }
      """),
    ("S701", """
      params:
        keep: { type: int, default: 3 }
      steps:
        - id: prune
          action: shell
          with: { run: "echo $(( ${{ params.keep }} + 1 ))" }
      """),
    ("S701", """
      params:
        who: { type: string }
      steps:
        - id: greet
          action: shell
          with:
            run: |
              cat <<'EOF'
              ${{ params.who }}
              EOF
      """),
  ]

  func testEveryCodePlanEmitsValidateEmitsToo() throws {
    for (index, testCase) in Self.planTimeCases.enumerated() {
      let file = try scratch.write("case\(index).yaml", "runbook: 1\nname: case\(index)\n" + testCase.body)
      let plan = try scratch.runbook(["plan", file])
      let validate = try scratch.runbook(["validate", file])
      XCTAssertEqual(plan.status, 2, "case \(index): \(plan.stdout)")
      XCTAssertTrue(codes(plan).contains(testCase.code), "case \(index): plan gave \(plan.stderr)")
      XCTAssertEqual(validate.status, 2, "case \(index): validate let it through")
      XCTAssertTrue(codes(plan).isSubset(of: codes(validate)), "case \(index): plan \(codes(plan)), validate \(codes(validate))\n\(validate.stderr)")
    }
    // The same over every bad-input fixture: nothing plan finds (without -p) escapes validate.
    let directory = Repository.path("Tests/RunbookCLITests/Fixtures/invalid")
    for fixture in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
      let plan = try scratch.runbook(["plan", directory + "/" + fixture])
      let validate = try scratch.runbook(["validate", directory + "/" + fixture])
      XCTAssertTrue(codes(plan).isSubset(of: codes(validate)), "\(fixture): plan \(codes(plan)), validate \(codes(validate))")
    }
  }

  func testAValueKnownOnlyFromAParamGivenLaterIsNotJudgedByValidate() throws {
    let file = try scratch.write("later.yaml", """
      runbook: 1
      name: later
      params:
        count: { type: string, required: true }
      steps:
        - id: one
          action: exec
          with: { argv: [echo, "${{ int(params.count) + 1 }}"] }
      """)
    XCTAssertEqual(try scratch.runbook(["validate", file]).status, 0)
    let plan = try scratch.runbook(["plan", file, "-p", "count=nine"])
    XCTAssertEqual(plan.status, 2)
    XCTAssertTrue(plan.stderr.contains("error[E312]: cannot evaluate before the run: int() takes a string of digits, not 'nine'"), plan.stderr)
  }

  func testAMisspelledParamsBlockGivesOneErrorNotOnePerReference() throws {
    let file = try scratch.write("parms.yaml", """
      runbook: 1
      name: parms
      parms:
        a: { type: string, default: x }
      steps:
        - id: one
          action: exec
          with: { argv: [echo, "${{ params.a }}", "${{ params.a }}", "${{ params.b }}"] }
      """)
    let result = try scratch.runbook(["validate", file])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(codes(result), ["R101"], result.stderr)
    XCTAssertTrue(result.stderr.contains("did you mean 'params'?"), result.stderr)
    XCTAssertTrue(result.stderr.hasSuffix("1 error; 3 more that follow from it left out\n"), result.stderr)
    let json = try scratch.runbook(["validate", "--format", "json", file])
    XCTAssertTrue(json.stdout.contains(#""suppressed": 3"#), json.stdout)
  }

  func testAParamsBlockOrAParamThatCannotBeReadIsReportedOnce() throws {
    for (index, params) in ["params:\n  - n", "params:\n  n: 5"].enumerated() {
      let file = try scratch.write("shape\(index).yaml", "runbook: 1\nname: shape\n\(params)\nsteps:\n  - id: one\n    action: exec\n    with: { argv: [echo, \"${{ params.n }}\"] }\n")
      let result = try scratch.runbook(["validate", file])
      XCTAssertEqual(codes(result), ["R102"], result.stderr)
      XCTAssertTrue(result.stderr.hasSuffix("1 error; 1 more that follows from it left out\n"), result.stderr)
    }
  }

  func testAMisspelledNeedsIsNotFollowedByWrongAdviceAboutAncestors() throws {
    let result = try scratch.runbook(["validate", Repository.path("examples/broken.yaml")])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(codes(result), ["G401", "E301", "E303"], result.stderr)
    XCTAssertFalse(result.stderr.contains("E305"), result.stderr)
    XCTAssertTrue(result.stderr.contains("unexpected 'and' (the operator is written '&&')"), result.stderr)
    XCTAssertTrue(result.stderr.hasSuffix("3 errors; 1 more that follows from these left out\n"), result.stderr)
  }

  func testOperatorWordsAndASingleEqualsSuggestTheOperator() throws {
    for (expression, hint) in [("a or b", "'or' (the operator is written '||')"), ("not a", "after 'not' (the operator is written '!')"), ("1 = 1", "compare with '=='"), ("1 => 2", "did you mean '>='?"), ("not(true)", "the operator is written '!'")] {
      let file = try scratch.write("words.yaml", "runbook: 1\nname: words\nsteps:\n  - id: one\n    when: ${{ \(expression) }}\n    action: noop\n")
      let result = try scratch.runbook(["validate", file])
      XCTAssertTrue(result.stderr.contains(hint), result.stderr)
    }
  }

  func testALoopsApprovalCannotReadTheItemAndAnExpressionOnlyCheckReadsNothing() throws {
    let file = try scratch.write("loop.yaml", """
      runbook: 1
      name: loop
      steps:
        - id: touch
          for_each: ${{ ['m1', 'm2'] }}
          approval: Touch ${{ item }}?
          preconditions:
            - expect: ${{ check.exists }}
          action: exec
          with: { argv: [echo, "${{ item }}"] }
      """)
    let result = try scratch.runbook(["validate", file])
    XCTAssertEqual(codes(result), ["E302", "E310"], result.stderr)
    XCTAssertTrue(result.stderr.contains("error[E302]: unknown name 'item'"), result.stderr)
    XCTAssertTrue(result.stderr.contains("an expression-only check (written without `check:`) has no field 'exists'; it has none"), result.stderr)
  }

  func testAnExpressionInTheRunbooksTitleIsRefused() throws {
    let file = try scratch.write("title.yaml", "runbook: 1\nname: title\ntitle: Defragment ${{ params.x }}\nsteps:\n  - id: one\n    action: noop\n")
    let result = try scratch.runbook(["validate", file])
    XCTAssertEqual(result.status, 2)
    XCTAssertEqual(codes(result), ["R115"], result.stderr)
  }

  func testMissingFilesAndRequiredParamsSayWhatToDo() throws {
    for command in [["validate"], ["plan"], ["apply", "--yes"]] {
      let result = try scratch.runbook(command + ["broken-typo.yaml"])
      XCTAssertEqual(result.status, 2)
      XCTAssertTrue(result.stderr.contains("error[Y015]: cannot read broken-typo.yaml: no such file\n"), "\(command): \(result.stderr)")
    }
    let file = try scratch.write("env.yaml", """
      runbook: 1
      name: env
      params:
        token: { type: string, required: true, secret: true, env: DEPLOY_TOKEN }
        zone: { type: string, required: true }
      steps:
        - id: one
          action: noop
      """)
    let result = try scratch.runbook(["plan", file])
    XCTAssertTrue(result.stderr.contains("missing required param 'token' (string): give it with -p token=VALUE or in $DEPLOY_TOKEN"), result.stderr)
    XCTAssertTrue(result.stderr.contains("missing required param 'zone' (string): give it with -p zone=VALUE or in a --params file"), result.stderr)
  }
}
