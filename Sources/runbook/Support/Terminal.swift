import Foundation
import RunbookKit
import RunbookYAML

/// Writing to the terminal: stdout for results, stderr for diagnostics, colour only on a TTY
/// without `NO_COLOR`.
enum Terminal {
  static func standardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  static var colorOnStandardError: Bool {
    let environment = ProcessInfo.processInfo.environment
    return isatty(2) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
  }

  /// Prints diagnostics to stderr with excerpts from the given sources.
  static func report(_ diagnostics: [Diagnostic], sources: [String: SourceText]) {
    guard !diagnostics.isEmpty else { return }
    let renderer = DiagnosticRenderer(sources: sources, color: colorOnStandardError)
    standardError(renderer.render(diagnostics))
    let errors = diagnostics.filter { $0.severity == .error }.count
    if errors > 0 { standardError("\(errors) error\(errors == 1 ? "" : "s")\n") }
  }
}
