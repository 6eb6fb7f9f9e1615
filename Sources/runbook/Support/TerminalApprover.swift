import Foundation
import RunbookKit

/// Asks for approval on the controlling terminal; without one, nobody can be asked and the run
/// pauses (exit 4). Questions are asked one at a time, on a thread of their own (reading the
/// answer blocks): two steps waiting at once get two questions in turn, each answer going to
/// the question on screen.
struct TerminalApprover: Approver {
  var interactive: Bool
  var renderer: ProgressRenderer
  private static let questions = DispatchQueue(label: "runbook.approvals")

  init(interactive: Bool, renderer: ProgressRenderer) {
    self.interactive = interactive
    self.renderer = renderer
  }

  func approve(step: String, message: String) async -> Bool? {
    guard interactive else { return nil }
    let renderer = self.renderer
    return await withCheckedContinuation { continuation in
      Self.questions.async {
        let answer = renderer.withPrompt {
          // The question is user text: shown escaped, so it cannot redraw what the operator reads.
          Terminal.standardError("\nApproval needed for step \(step):\n  \(VisibleText.line(message))\nApprove? [y/N] ")
          return readLine(strippingNewline: true).map { ["y", "yes"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        continuation.resume(returning: answer)
      }
    }
  }
}
