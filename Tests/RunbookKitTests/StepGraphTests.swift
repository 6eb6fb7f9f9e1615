import RunbookActions
import RunbookKit
import XCTest

/// Stages, stable order and cycles of the step graph.
final class StepGraphTests: XCTestCase {
  private func document(_ steps: String) -> RunbookDocument {
    RunbookDocument.load(text: "runbook: 1\nname: g\nsteps:\n" + steps, file: "g.yaml", registry: BuiltinActions.registry)
  }

  func testStagesFollowNeedsAndDeclarationOrder() throws {
    let doc = document("""
        - { id: z, action: noop }
        - { id: a, action: noop, needs: [z] }
        - { id: m, action: noop }
        - { id: b, action: noop, needs: [a, m] }
        - { id: c, action: noop, needs: [z] }

      """)
    XCTAssertEqual(doc.diagnostics, [])
    XCTAssertEqual(doc.graph?.stages, [["z", "m"], ["a", "c"], ["b"]])
    XCTAssertEqual(doc.graph?.isAncestor("z", of: "b"), true)
    XCTAssertEqual(doc.graph?.isAncestor("c", of: "b"), false)
    XCTAssertEqual(doc.graph?.descendants(of: "z"), ["a", "b", "c"])
  }

  func testCyclesArePrintedFromTheEarliestDeclaredStep() {
    let doc = document("""
        - { id: x, action: noop, needs: [w] }
        - { id: y, action: noop, needs: [x] }
        - { id: w, action: noop, needs: [y] }

      """)
    XCTAssertEqual(doc.diagnostics.map(\.message), ["dependency cycle: x → w → y → x"])
    XCTAssertEqual(doc.diagnostics.first?.range?.start.line, 5, "reported at the needs entry that closes the cycle")
  }
}
