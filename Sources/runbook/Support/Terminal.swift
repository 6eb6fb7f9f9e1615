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

  /// The width of the terminal on stdout; 80 when it cannot be asked.
  static var columns: Int {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
    return Int(size.ws_col)
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
