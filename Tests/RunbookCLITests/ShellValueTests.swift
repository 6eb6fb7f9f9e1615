import Foundation
import RunbookTestSupport
import XCTest

/// The repros of issue 10 §1 against the real binary, under dash as `/bin/sh` and under bash as
/// `/bin/sh` (bind-mounted in a private mount namespace): a `${{ }}` value in a `shell` script is
/// one literal word, or the runbook is refused at validate.
final class ShellValueTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("shell-values")
  }

  func runbook(_ arguments: [String], binSh: CommandLineTool.BinSh = .system) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments, binSh: binSh)
  }

  var shells: [CommandLineTool.BinSh] { CommandLineTool.BinSh.allCases.filter(\.isAvailable) }

  func testACommentWithQuotesBeforeTheValueLeavesItQuoted() throws {
    try scratch.write("prune.yaml", """
      runbook: 1
      name: prune
      params:
        name: { type: string, pattern: "[^/]+", required: true }
      steps:
        - id: prune
          action: shell
          with:
            run: |
              echo hi # isn't it "
              cat <<EOF >/dev/null
              a ' " <<X
              EOF
              rm -rf -- "bk/${{ params.name }}"
      """)
    try FileManager.default.createDirectory(atPath: scratch.path + "/bk", withIntermediateDirectories: true)
    for shell in shells {
      for name in ["bk/old", "bk/x", "bk/keep", "here"] { try scratch.write(name, "data") }
      let result = try runbook(["apply", "prune.yaml", "--yes", "-p", "name=old * x"], binSh: shell)
      XCTAssertEqual(result.status, 0, "\(shell): \(result.stderr)")
      for name in ["bk/old", "bk/x", "bk/keep", "here"] { XCTAssertTrue(scratch.exists(name), "\(shell) removed \(name)") }
    }
  }

  func testNestedSubstitutionsAndHereDocumentsPrintTheValueExactly() throws {
    try scratch.write("print.yaml", """
      runbook: 1
      name: print
      params:
        v: { type: string, required: true }
      steps:
        - id: print
          action: shell
          with:
            run: |
              printf '<%s>\\n' "$( (true); printf '<%s>' ${{ params.v }} )" > out
              printf '<%s>\\n' "$(case a in a) printf '%s' ${{ params.v }};; esac)" >> out
              cat >> out <<EOF
              $(printf '<%s>' ${{ params.v }})
              EOF
      """)
    let value = "a  * $(touch pwned) `touch pwned` b"
    for shell in shells {
      let result = try runbook(["apply", "print.yaml", "--yes", "-p", "v=\(value)"], binSh: shell)
      XCTAssertEqual(result.status, 0, "\(shell): \(result.stderr)")
      XCTAssertEqual(scratch.read("out"), "<<\(value)>>\n<\(value)>\n<\(value)>\n", "\(shell)")
      XCTAssertFalse(scratch.exists("pwned"), "\(shell)")
    }
  }

  func testArithmeticAndConditionalsAreRefusedAtValidateWhereverTheyStand() throws {
    try scratch.write("scale.yaml", """
      runbook: 1
      name: scale
      params:
        replicas: { type: string, default: "3" }
      steps:
        - id: scale
          action: shell
          with:
            run: |
              # don't <<EOF
              cat <<EOF
              $(printf '%s' $(( ${{ params.replicas }} + 0 )))
              EOF
              replicas=$(( ${{ params.replicas }} + 0 ))
              [[ "${{ params.replicas }}" -gt 3 ]] && echo many
      """)
    let validated = try runbook(["validate", "scale.yaml"])
    XCTAssertEqual(validated.status, 2)
    XCTAssertEqual(validated.stderr, """
      scale.yaml:12:27: error[S701]: a ${{ }} value cannot stand inside shell arithmetic ($(( )), (( )) or $[ ]), where the shell evaluates it as an expression
       12 |         $(printf '%s' $(( ${{ params.replicas }} + 0 )))
          |                           ^~~~~~~~~~~~~~~~~~~~~~
        note: compute it in the expression (e.g. ${{ params.n + 1 }}), or pass it through the step's `env:` and validate it in the script before using it as a number
      scale.yaml:14:22: error[S701]: a ${{ }} value cannot stand inside shell arithmetic ($(( )), (( )) or $[ ]), where the shell evaluates it as an expression
       14 |         replicas=$(( ${{ params.replicas }} + 0 ))
          |                      ^~~~~~~~~~~~~~~~~~~~~~
        note: compute it in the expression (e.g. ${{ params.n + 1 }}), or pass it through the step's `env:` and validate it in the script before using it as a number
      scale.yaml:15:13: error[S701]: a ${{ }} value cannot stand inside [[ ]], where bash evaluates operands of -eq, -lt, ... as arithmetic
       15 |         [[ "${{ params.replicas }}" -gt 3 ]] && echo many
          |             ^~~~~~~~~~~~~~~~~~~~~~
        note: compute it in the expression (e.g. ${{ params.n + 1 }}), or pass it through the step's `env:` and validate it in the script before using it as a number
      3 errors

      """)
    for shell in shells {
      let applied = try runbook(["apply", "scale.yaml", "--yes", "-p", "replicas=x[$(id>pwned)]"], binSh: shell)
      XCTAssertEqual(applied.status, 2, "\(shell): \(applied.stderr)")
      XCTAssertFalse(scratch.exists("pwned"), "\(shell)")
    }
  }

  func testEvaluatingCommandsAndShellsAreRefusedWithTheirName() throws {
    try scratch.write("eval.yaml", """
      runbook: 1
      name: eval
      params:
        v: { type: string, default: x }
      steps:
        - id: eval
          action: shell
          with:
            run: |
              eval "echo ${{ params.v }}"
              printf '%s\\n' ${{ params.v }} | sudo sh
              kubectl exec pod -- sh -c "echo ${{ params.v }}"
              ssh -p 22 node1 ls ${{ params.v }}
              export ${{ params.v }}
              export OK=${{ params.v }}
      """)
    let validated = try runbook(["validate", "eval.yaml"])
    XCTAssertEqual(validated.status, 2)
    let messages = validated.stderr.split(separator: "\n").filter { $0.contains("error[S701]") }.map { String($0.drop { $0 != "[" }) }
    XCTAssertEqual(messages, [
      "[S701]: a ${{ }} value cannot stand as an argument of 'eval', which evaluates or names its arguments",
      "[S701]: a ${{ }} value cannot stand in the script of 'sh', which runs it as shell code",
      "[S701]: a ${{ }} value cannot stand in the script of 'sh -c', which runs it as shell code",
      "[S701]: a ${{ }} value cannot stand in the script of 'ssh', which runs it as shell code",
      "[S701]: a ${{ }} value cannot stand as a name given to 'export', where bash evaluates array subscripts",
      // eval of text that is not all literal may define an alias: nothing after it is trusted.
      "[S701]: a ${{ }} value cannot stand in this script, which the engine cannot read as every shell would (an alias defined in it, or eval of text that is not all literal, which may define one; a line continuation inside a word or operator, a here-document begun around $( ), a backslashed quote in backquotes in a here-document, nesting deeper than 100 levels)",
    ])
  }
}
