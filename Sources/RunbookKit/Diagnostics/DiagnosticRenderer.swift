import RunbookYAML

/// Renders diagnostics as `FILE:LINE:COL: error[CODE]: message` with a source excerpt and a
/// caret under the cause, or as JSON for editors and CI.
public struct DiagnosticRenderer: Sendable {
  /// Source texts by file path, for excerpts.
  public var sources: [String: SourceText]
  public var color: Bool

  public init(sources: [String: SourceText] = [:], color: Bool = false) {
    self.sources = sources
    self.color = color
  }

  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map(render).joined()
  }

  public func render(_ d: Diagnostic) -> String {
    var out = ""
    let label = d.severity == .error ? paint("error", "1;31") : paint("warning", "1;33")
    out += "\(location(d.file, d.range))\(label)[\(d.code)]: \(paint(d.message, "1"))\n"
    out += excerpt(d.file, d.range)
    for note in d.notes {
      let file = note.file ?? d.file
      if let range = note.range {
        out += "\(location(file, range))\(paint("note", "1;36")): \(note.message)\n"
        out += excerpt(file, range)
      } else {
        out += "  \(paint("note", "1;36")): \(note.message)\n"
      }
    }
    return out
  }

  private func location(_ file: String?, _ range: SourceRange?) -> String {
    switch (file, range) {
    case (let file?, let range?): "\(file):\(range.start.line):\(range.start.column): "
    case (let file?, nil): "\(file): "
    default: ""
    }
  }

  /// The most of a source line an excerpt shows.
  static let excerptWidth = 160

  private func excerpt(_ file: String?, _ range: SourceRange?) -> String {
    guard let file, let range, let line = sources[file]?.line(range.start.line) else { return "" }
    let number = String(range.start.line)
    let gutter = String(repeating: " ", count: number.count)
    var scalars = Array(line.unicodeScalars)
    var startIndex = min(max(range.start.column - 1, 0), scalars.count)
    var endIndex = range.end.line == range.start.line ? min(range.end.column - 1, scalars.count) : scalars.count
    // A long line (a 10 MB value) is cut to a window around the cause.
    if scalars.count > Self.excerptWidth {
      let from = max(0, min(startIndex - Self.excerptWidth / 4, scalars.count - Self.excerptWidth))
      let to = min(scalars.count, from + Self.excerptWidth)
      let head: [Unicode.Scalar] = from > 0 ? ["…"] : []
      let tail: [Unicode.Scalar] = to < scalars.count ? ["…"] : []
      scalars = head + scalars[from..<to] + tail
      startIndex = startIndex - from + head.count
      endIndex = min(endIndex - from + head.count, scalars.count - tail.count)
    }
    let width = max(1, endIndex - startIndex)
    let padding = String(String.UnicodeScalarView(scalars[..<startIndex].map { $0 == "\t" ? "\t" : " " }))
    let marker = "^" + String(repeating: "~", count: width - 1)
    let shown = String(String.UnicodeScalarView(scalars))
    return " \(number) | \(shown)\n \(gutter) | \(padding)\(paint(marker, "1;32"))\n"
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  // MARK: JSON

  public static func json(_ d: Diagnostic) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("severity", .string(d.severity.rawValue)),
      .init("code", .string(d.code.rawValue)),
      .init("message", .string(d.message)),
      .init("file", .optional(d.file)),
    ]
    members += rangeMembers(d.range)
    let notes: [JSONValue] = d.notes.map { note in
      .object([.init("message", .string(note.message)), .init("file", .optional(note.file ?? (note.range == nil ? nil : d.file)))] + rangeMembers(note.range))
    }
    members.append(.init("notes", .array(notes)))
    return .object(members)
  }

  private static func rangeMembers(_ range: SourceRange?) -> [JSONValue.Member] {
    guard let range else { return [] }
    return [
      .init("line", .int(Int64(range.start.line))), .init("column", .int(Int64(range.start.column))),
      .init("end_line", .int(Int64(range.end.line))), .init("end_column", .int(Int64(range.end.column))),
    ]
  }
}
