import Foundation
import RunbookKit

/// Shows a run as it goes: one JSON event per line (`--format json`), plain lines when stdout
/// is not a terminal, or, on a terminal, finished steps with their whole output in the
/// scrollback below a live block of the running steps (elapsed time, last output line) that is
/// redrawn in place. While the operator is asked something, every other line is held back and
/// printed after the answer, so nothing lands on the prompt's line.
final class ProgressRenderer: RunObserver, @unchecked Sendable {
  enum Style { case json, lines, live }

  /// A running step on the live block.
  private struct LiveStep {
    var label: String
    var started = Date()
    var last = ""
    /// Its output so far, printed under it when it finishes.
    var buffered: [String] = []
    /// Past `bufferLimit` lines the output is printed as it comes, prefixed, instead.
    var streaming = false
  }

  /// Lines of one step kept back until it finishes; beyond this they stream, none is dropped.
  private static let bufferLimit = 500

  private let style: Style
  private let lock = NSLock()
  private var running: [StepKey: LiveStep] = [:]
  private var order: [StepKey] = []
  /// The widths of the live block's lines as drawn: clearing counts the rows they take now,
  /// after a resize may have rewrapped them.
  private var drawnWidths: [Int] = []
  private var prompting = false
  private var held: [String] = []
  private var ticker: DispatchSourceTimer?
  private let color: Bool

  init(style: Style) {
    self.style = style
    let environment = ProcessInfo.processInfo.environment
    color = style == .live && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    if style == .live {
      let timer = DispatchSource.makeTimerSource(queue: .global())
      timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
      timer.setEventHandler { [weak self] in self?.redraw() }
      timer.resume()
      ticker = timer
    }
  }

  deinit { ticker?.cancel() }

  func observe(_ event: RunEvent) {
    lock.withLock {
      switch style {
      case .json: emitLocked(event.json.serialized(pretty: false))
      case .lines: if let line = Self.line(for: event, color: false) { emitLocked(line) }
      case .live: observeLiveLocked(event)
      }
    }
  }

  private func observeLiveLocked(_ event: RunEvent) {
    let key = StepKey(step: event.step ?? "", iteration: event.iteration, host: event.host)
    switch event.kind {
    case .stepStarted:
      if running[key] == nil { order.append(key) }
      running[key] = LiveStep(label: event.stepLabel)
      drawLocked()
    case .stepOutput:
      guard let line = event.line, var step = running[key] else { return }
      let text = (line.stream == .stderr ? "  ! " : "  │ ") + VisibleText.line(line.text)
      step.last = line.text
      if step.streaming {
        emitLocked("  \(step.label)" + text.dropFirst(1))
      } else {
        step.buffered.append(text)
        if step.buffered.count > Self.bufferLimit {
          step.buffered.forEach { emitLocked("  \(step.label)" + $0.dropFirst(1)) }
          step.buffered = []
          step.streaming = true
        }
      }
      running[key] = step
    case .stepFinished:
      let step = running.removeValue(forKey: key)
      order.removeAll { $0 == key }
      if let line = Self.line(for: event, color: color) { emitLocked(line) }
      step?.buffered.forEach { emitLocked($0) }
    default:
      if let line = Self.line(for: event, color: color) { emitLocked(line) }
    }
  }

  /// A question to the operator begins: the live block is cleared and every other line is held
  /// back until `endPrompt`.
  func beginPrompt() {
    lock.withLock {
      clearLocked()
      prompting = true
    }
  }

  /// The question is answered or given up on: the held lines follow.
  func endPrompt() {
    lock.withLock {
      prompting = false
      let lines = held
      held = []
      lines.forEach { emitLocked($0) }
      drawLocked()
    }
  }

  /// Ends live drawing; later output goes below it.
  func stop() {
    ticker?.cancel()
    ticker = nil
    lock.withLock { clearLocked() }
  }

  /// Writes one finished line above the live block, or holds it while a prompt waits.
  private func emitLocked(_ line: String) {
    guard !prompting else {
      held.append(line)
      return
    }
    clearLocked()
    Terminal.standardOutput(line + "\n")
    drawLocked()
  }

  private func redraw() {
    lock.withLock { drawLocked() }
  }

  private func clearLocked() {
    guard !drawnWidths.isEmpty else { return }
    let columns = Terminal.size.columns
    let rows = drawnWidths.reduce(0) { $0 + max(1, ($1 + columns - 1) / columns) }
    Terminal.standardOutput(String(repeating: "\u{1B}[1A\u{1B}[2K", count: rows))
    drawnWidths = []
  }

  /// The live block: one line per running step, each cut to the terminal's width, and no more
  /// lines than leave room on screen (the rest counted on the last one), so that clearing knows
  /// exactly which rows it drew.
  private func drawLocked() {
    guard style == .live, !prompting else { return }
    clearLocked()
    let size = Terminal.size
    let width = max(20, size.columns - 1)
    let room = max(1, size.rows - 2)
    let shown = order.count > room ? Array(order.prefix(room - 1)) : order
    var lines: [String] = []
    for key in shown {
      guard let state = running[key] else { continue }
      let elapsed = String(format: "%.1fs", Date().timeIntervalSince(state.started))
      let last = state.last.isEmpty ? "" : "  " + VisibleText.line(state.last)
      lines.append(Terminal.truncated("  … \(state.label) \(elapsed)\(last)", toWidth: width))
    }
    if order.count > shown.count { lines.append("  … and \(order.count - shown.count) more running") }
    if !lines.isEmpty { Terminal.standardOutput(lines.joined(separator: "\n") + "\n") }
    drawnWidths = lines.map(Terminal.width(of:))
  }

  /// The plain line for an event, or nil for events not shown as a line.
  static func line(for event: RunEvent, color: Bool) -> String? {
    let key = event.stepLabel
    let elapsed = event.elapsed.map { String(format: " (%.2fs)", $0) } ?? ""
    let message = event.message.map { ": \(VisibleText.line($0))" } ?? ""
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    switch event.kind {
    case .runStarted: return "run \(event.runID)\(message)"
    case .preconditionFailed: return paint("✗ blocked by a precondition\(message)", "31")
    case .stepStarted: return "▶ \(key)" + (event.attempt.map { $0 > 1 ? " (attempt \($0))" : "" } ?? "") + (event.iteration == nil && event.host == nil && event.message != nil ? message : "")
    case .stepOutput: return event.line.map { "  \(key) \($0.stream == .stderr ? "!" : "|") \($0.text)" }
    case .stepRetrying: return paint("↻ \(key) attempt \(event.attempt ?? 0) failed\(message); retrying", "33")
    case .checkEvaluated:
      let subject = event.step == nil ? "" : "\(key) "
      let role = event.check ?? "check"
      let text = VisibleText.line(event.message ?? "")
      switch event.status {
      case "held": return "  " + paint("✓", "32") + " \(subject)\(role): \(text)"
      case "not_checked": return "  · \(subject)\(role) not checked: \(text)"
      case "not_held" where role == "skip_if": return "  · \(subject)skip_if does not hold, so the step runs: \(text)"
      default: return nil
      }
    case .stepFinished:
      switch event.status {
      case "succeeded": return paint("✓ \(key)\(elapsed)", "32") + (event.message.map { " — \(VisibleText.line($0))" } ?? "")
      case "skipped": return paint("- \(key) skipped\(message)", "36")
      case "awaiting_approval": return paint("⏸ \(key) awaits approval\(message)", "33")
      case "blocked", "in_doubt": return paint("■ \(key) blocked\(message)", "33")
      default: return paint("✗ \(key) \(event.status ?? "failed")\(elapsed)\(message)", "31")
      }
    case .runFinished:
      // "run R failed at talk; …", "run R blocked at defrag: …", "run R succeeded: every step is done"
      let joined = event.message.map { $0.hasPrefix("at ") || $0.hasPrefix("for ") ? " " + $0 : ": " + $0 } ?? ""
      return "run \(event.runID) \(event.status ?? "")\(VisibleText.line(joined))"
    case .note: return event.message.map(VisibleText.line)
    }
  }
}
