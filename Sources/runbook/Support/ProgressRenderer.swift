import Foundation
import RunbookKit

/// Shows a run as it goes: one JSON event per line (`--format json`), plain lines when stdout
/// is not a terminal, or a live block of running steps with elapsed time and the last output
/// line, redrawn in place, on a terminal.
final class ProgressRenderer: RunObserver, @unchecked Sendable {
  enum Style { case json, lines, live }

  private let style: Style
  private let lock = NSLock()
  private var running: [StepKey: (started: Date, last: String)] = [:]
  private var order: [StepKey] = []
  private var drawnLines = 0
  private var paused = false
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
    switch style {
    case .json:
      Terminal.standardOutput(event.json.serialized(pretty: false) + "\n")
    case .lines:
      if let line = Self.line(for: event, color: false) { Terminal.standardOutput(line + "\n") }
    case .live:
      lock.withLock {
        let key = StepKey(step: event.step ?? "", iteration: event.iteration)
        switch event.kind {
        case .stepStarted:
          if running[key] == nil { order.append(key) }
          running[key] = (Date(), "")
        case .stepOutput:
          if let text = event.line?.text, running[key] != nil { running[key]!.last = text }
          return
        case .stepFinished:
          running[key] = nil
          order.removeAll { $0 == key }
        default:
          break
        }
        guard let line = Self.line(for: event, color: color), event.kind != .stepStarted else {
          drawLocked()
          return
        }
        clearLocked()
        Terminal.standardOutput(line + "\n")
        drawLocked()
      }
    }
  }

  /// Stops redrawing while `body` talks to the operator.
  func withPausedDrawing<T>(_ body: () -> T) -> T {
    lock.withLock {
      clearLocked()
      paused = true
    }
    defer { lock.withLock { paused = false } }
    return body()
  }

  /// Ends live drawing; later output goes below it.
  func stop() {
    ticker?.cancel()
    ticker = nil
    lock.withLock { clearLocked() }
  }

  private func redraw() {
    lock.withLock { drawLocked() }
  }

  private func clearLocked() {
    guard drawnLines > 0 else { return }
    Terminal.standardOutput(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines))
    drawnLines = 0
  }

  private func drawLocked() {
    guard style == .live, !paused else { return }
    clearLocked()
    var lines: [String] = []
    for key in order {
      guard let state = running[key] else { continue }
      let elapsed = String(format: "%.1fs", Date().timeIntervalSince(state.started))
      let last = state.last.isEmpty ? "" : "  " + String(state.last.prefix(80))
      lines.append("  … \(key) \(elapsed)\(last)")
    }
    if !lines.isEmpty { Terminal.standardOutput(lines.joined(separator: "\n") + "\n") }
    drawnLines = lines.count
  }

  /// The plain line for an event, or nil for events shown only live.
  static func line(for event: RunEvent, color: Bool) -> String? {
    let key = event.step.map { StepKey(step: $0, iteration: event.iteration).description } ?? ""
    let elapsed = event.elapsed.map { String(format: " (%.2fs)", $0) } ?? ""
    let message = event.message.map { ": \(VisibleText.line($0))" } ?? ""
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    switch event.kind {
    case .runStarted: return "run \(event.runID)\(message)"
    case .preconditionFailed: return paint("✗ blocked by a precondition\(message)", "31")
    case .stepStarted: return "▶ \(key)" + (event.attempt.map { $0 > 1 ? " (attempt \($0))" : "" } ?? "") + (event.iteration == nil && event.message != nil ? message : "")
    case .stepOutput: return event.line.map { "  \(key) \($0.stream == .stderr ? "!" : "|") \($0.text)" }
    case .stepRetrying: return paint("↻ \(key) attempt \(event.attempt ?? 0) failed\(message); retrying", "33")
    case .stepFinished:
      switch event.status {
      case "succeeded": return paint("✓ \(key)\(elapsed)", "32") + (event.message.map { " — \(VisibleText.line($0))" } ?? "")
      case "skipped": return paint("- \(key) skipped\(message)", "36")
      case "awaiting_approval": return paint("⏸ \(key) awaits approval\(message)", "33")
      case "blocked", "in_doubt": return paint("■ \(key) blocked\(message)", "33")
      default: return paint("✗ \(key) \(event.status ?? "failed")\(elapsed)\(message)", "31")
      }
    case .runFinished: return "run \(event.runID) \(event.status ?? "")\(message)"
    case .note: return event.message
    }
  }
}
