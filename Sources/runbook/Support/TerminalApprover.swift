import Foundation
import RunbookKit

/// Asks for approval on the controlling terminal; without one, nobody can be asked and the run
/// pauses (exit 4). Questions are asked one at a time, on a thread of their own (reading the
/// answer blocks): two steps waiting at once get two questions in turn, each answer going to
/// the question on screen. Keys typed before a question is shown do not answer it, and SIGINT
/// or SIGTERM abandons every question at once (nobody answered: the steps keep waiting).
struct TerminalApprover: Approver {
  var interactive: Bool
  var renderer: ProgressRenderer
  var interruption: Interruption
  private static let questions = DispatchQueue(label: "runbook.approvals")

  init(interactive: Bool, renderer: ProgressRenderer, interruption: Interruption) {
    self.interactive = interactive
    self.renderer = renderer
    self.interruption = interruption
  }

  func approve(step: String, message: String) async -> Bool? {
    guard interactive, !interruption.isInterrupted else { return nil }
    let (renderer, interruption) = (self.renderer, self.interruption)
    let answer = Answer()
    // The signal does not end a blocked read: the question is given up on instead.
    let watcher = Task {
      while !Task.isCancelled {
        if interruption.isInterrupted {
          answer.give(nil, ifShown: { renderer.endPrompt(); Terminal.standardError("\n") })
          return
        }
        try? await Task.sleep(for: .milliseconds(100))
      }
    }
    defer { watcher.cancel() }
    return await answer.wait {
      Self.questions.async {
        guard answer.show({ renderer.beginPrompt() }) else { return }
        tcflush(STDIN_FILENO, TCIFLUSH)
        // The question is user text: shown escaped, so it cannot redraw what the operator reads.
        Terminal.standardError("\nApproval needed for step \(step):\n  \(VisibleText.line(message))\nApprove? [y/N] ")
        let line = readLine(strippingNewline: true)
        answer.give(line.map { ["y", "yes"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }, ifShown: {
          if line == nil { Terminal.standardError("\n") }
          renderer.endPrompt()
        })
      }
    }
  }

  /// One question's answer, given once: by the operator, or as nil when the run is interrupted.
  /// Showing the question and taking it off screen happen under its lock, so an interruption
  /// never leaves a prompt drawn, nor ends one that was not begun.
  private final class Answer: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool?, Never>?
    private var given = false
    private var shown = false

    /// Starts asking with `ask`; returns the answer.
    func wait(_ ask: @escaping @Sendable () -> Void) async -> Bool? {
      await withCheckedContinuation { continuation in
        let pending = lock.withLock { () -> Bool in
          if !given { self.continuation = continuation }
          return !given
        }
        if pending { ask() } else { continuation.resume(returning: nil) }
      }
    }

    /// Runs `begin` and counts the question shown, unless an answer came first.
    func show(_ begin: () -> Void) -> Bool {
      lock.withLock {
        guard !given else { return false }
        shown = true
        begin()
        return true
      }
    }

    /// Gives the answer if none was given yet, running `end` first when the question is shown.
    func give(_ value: Bool?, ifShown end: () -> Void) {
      let waiting = lock.withLock { () -> CheckedContinuation<Bool?, Never>? in
        guard !given else { return nil }
        given = true
        if shown { end() }
        defer { continuation = nil }
        return continuation
      }
      waiting?.resume(returning: value)
    }
  }
}
