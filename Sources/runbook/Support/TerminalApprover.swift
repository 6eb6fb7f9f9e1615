import Foundation
import RunbookKit

/// Asks for approval on the controlling terminal; without one, nobody can be asked and the run
/// pauses (exit 4).
struct TerminalApprover: Approver {
  var interactive: Bool
  var renderer: ProgressRenderer

  func approve(step: String, message: String) async -> Bool? {
    guard interactive else { return nil }
    return renderer.withPrompt {
      // The question is user text: shown escaped, so it cannot redraw what the operator reads.
      Terminal.standardError("\nApproval needed for step \(step):\n  \(VisibleText.line(message))\nApprove? [y/N] ")
      guard let answer = readLine(strippingNewline: true) else { return nil }
      return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
  }
}
