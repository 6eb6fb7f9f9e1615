import Foundation
import RunbookKit
import RunbookYAML

/// Writing to the terminal: stdout for results, stderr for diagnostics, colour only on a TTY
/// without `NO_COLOR`.
enum Terminal {
  static func standardOutput(_ text: String) {
    write(text, to: STDOUT_FILENO)
  }

  static func standardError(_ text: String) {
    write(text, to: STDERR_FILENO)
  }

  /// Writes all of `text`, straight from the string's storage; a closed pipe ends the output quietly.
  private static func write(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
  }

  /// The size of the terminal on stdout; 80 × 24 when it cannot be asked.
  static var size: (columns: Int, rows: Int) {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
    return (Int(size.ws_col), Int(size.ws_row))
  }

  /// How many columns `text` takes on a terminal: East Asian wide characters and emoji take
  /// two, combining marks none (text is escaped by `VisibleText` first: no control characters).
  static func width(of text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
  }

  /// `text` cut to at most `columns` columns, ending in `…` when it was cut.
  static func truncated(_ text: String, toWidth columns: Int) -> String {
    guard width(of: text) > columns else { return text }
    var kept = String.UnicodeScalarView()
    var used = 0
    for scalar in text.unicodeScalars {
      let next = width(of: scalar)
      guard used + next <= columns - 1 else { break }
      kept.append(scalar)
      used += next
    }
    return String(kept) + "…"
  }

  private static func width(of scalar: Unicode.Scalar) -> Int {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3,
      0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
      return 2
    default:
      return 1
    }
  }

  static var colorOnStandardError: Bool {
    let environment = ProcessInfo.processInfo.environment
    return isatty(2) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
  }

  /// Prints diagnostics to stderr with excerpts from the given sources, then the count, and how
  /// many that follow from these were left out.
  static func report(_ diagnostics: [Diagnostic], sources: [String: SourceText], suppressed: Int = 0) {
    guard !diagnostics.isEmpty else { return }
    let renderer = DiagnosticRenderer(sources: sources, color: colorOnStandardError)
    standardError(renderer.render(diagnostics))
    let errors = diagnostics.filter { $0.severity == .error }.count
    var count = errors > 0 ? "\(errors) error\(errors == 1 ? "" : "s")" : ""
    if suppressed > 0 {
      count += (count.isEmpty ? "" : "; ") + "\(suppressed) more that follow\(suppressed == 1 ? "s" : "") from \(diagnostics.count == 1 ? "it" : "these") left out"
    }
    if !count.isEmpty { standardError(count + "\n") }
  }
}
