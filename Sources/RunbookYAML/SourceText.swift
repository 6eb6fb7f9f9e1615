/// A source text split into lines, for excerpts under diagnostics and for locating offsets
/// inside scalars.
public struct SourceText: Sendable {
  private let text: String
  /// Where each line starts; lines are cut only when an excerpt or a mark needs them.
  private let lineStarts: [String.Index]

  public init(_ text: String) {
    var text = text
    text.makeContiguousUTF8()
    self.text = text
    var starts = [text.startIndex]
    var index = text.utf8.startIndex
    while let newline = text.utf8[index...].firstIndex(of: UInt8(ascii: "\n")) {
      index = text.utf8.index(after: newline)
      starts.append(index)
    }
    lineStarts = starts
  }

  /// The number of lines, counting a last line without a newline.
  public var lineCount: Int { lineStarts.count }

  /// The 1-based line without its line break, or nil past the end.
  public func line(_ number: Int) -> Substring? {
    guard number >= 1, number <= lineStarts.count else { return nil }
    let start = lineStarts[number - 1]
    var end = number < lineStarts.count ? text.utf8.index(before: lineStarts[number]) : text.endIndex
    if end > start, text.utf8[text.utf8.index(before: end)] == UInt8(ascii: "\r") {
      end = text.utf8.index(before: end)
    }
    return text[start..<end]
  }

  /// Where the scalar-value offset `offset` (in Unicode scalars) of `node` stands in the source.
  ///
  /// Exact for plain and quoted scalars written on one line without escapes, and for literal
  /// block scalars; otherwise the first place the `needle` text appears inside the node, or the
  /// node's start.
  public func mark(ofOffset offset: Int, needle: String, in node: YAMLNode) -> Mark {
    guard let scalar = node.scalar else { return node.range.start }
    let value = Array(scalar.text.unicodeScalars)
    let prefix = String(String.UnicodeScalarView(value.prefix(max(0, min(offset, value.count)))))
    let start = node.range.start
    switch scalar.style {
    case .plain, .singleQuoted, .doubleQuoted:
      let opening = scalar.style == .plain ? 0 : 1
      if !prefix.contains("\n"), let line = line(start.line) {
        let columnBase = start.column + opening
        let scalars = Array(line.unicodeScalars)
        let from = columnBase - 1
        let written = Array(prefix.unicodeScalars) + Array(needle.unicodeScalars)
        if from >= 0, from + written.count <= scalars.count, Array(scalars[from..<(from + written.count)]) == written {
          return Mark(line: start.line, column: columnBase + prefix.unicodeScalars.count)
        }
      }
    case .literal, .folded:
      if scalar.style == .literal {
        let valueLines = prefix.split(separator: "\n", omittingEmptySubsequences: false)
        let lineNumber = start.line + valueLines.count
        if let source = line(lineNumber) {
          let column = columnOfBlockLine(source, valueLine: valueLines.last ?? "", needle: needle)
          if let column { return Mark(line: lineNumber, column: column) }
        }
      }
    }
    return search(needle, from: start, to: node.range.end) ?? start
  }

  private func columnOfBlockLine(_ source: Substring, valueLine: Substring, needle: String) -> Int? {
    let expected = String(valueLine) + needle
    let scalars = Array(source.unicodeScalars)
    let want = Array(expected.unicodeScalars)
    guard want.count <= scalars.count else { return nil }
    for indent in 0...(scalars.count - want.count) where scalars[indent..<(indent + want.count)].elementsEqual(want) {
      if scalars[..<indent].allSatisfy({ $0 == " " }) {
        return indent + valueLine.unicodeScalars.count + 1
      }
    }
    return nil
  }

  private func search(_ needle: String, from start: Mark, to end: Mark) -> Mark? {
    guard !needle.isEmpty, start.line >= 1 else { return nil }
    let last = min(end.line, lineCount)
    guard start.line <= last else { return nil }
    for number in start.line...last {
      guard let line = line(number) else { continue }
      let scalars = Array(line.unicodeScalars)
      let want = Array(needle.unicodeScalars)
      let from = number == start.line ? max(0, start.column - 1) : 0
      guard want.count <= scalars.count, from <= scalars.count - want.count else { continue }
      for i in from...(scalars.count - want.count) where scalars[i..<(i + want.count)].elementsEqual(want) {
        return Mark(line: number, column: i + 1)
      }
    }
    return nil
  }
}
