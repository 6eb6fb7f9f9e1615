/// User text made safe to show a reviewer: control characters (ESC, CR, NUL, C1 controls, the
/// bidirectional overrides) escaped visibly, so a title or value cannot move the cursor, redraw
/// the lines above it or reorder what is read; and, for Markdown, text that cannot open HTML,
/// comments, code fences or tables (docs/running.md, "Sealed plans").
public enum VisibleText {
  /// One line: every control character escaped, newlines and tabs too.
  public static func line(_ text: String) -> String { escape(text, keepingLayout: false) }

  /// A block: control characters escaped, newlines and tabs kept.
  public static func block(_ text: String) -> String { escape(text, keepingLayout: true) }

  private static func needsEscape(_ scalar: Unicode.Scalar, keepingLayout: Bool) -> Bool {
    switch scalar.value {
    case 0x0A, 0x09: !keepingLayout
    case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }

  private static func escape(_ text: String, keepingLayout: Bool) -> String {
    guard text.unicodeScalars.contains(where: { needsEscape($0, keepingLayout: keepingLayout) }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard needsEscape(scalar, keepingLayout: keepingLayout) else {
        out.append(scalar)
        continue
      }
      let shown: String =
        switch scalar {
        case "\n": "\\n"
        case "\t": "\\t"
        case "\r": "\\r"
        case "\0": "\\0"
        case "\u{1B}": "\\e"
        default: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
      out.append(contentsOf: shown.unicodeScalars)
    }
    return String(out)
  }

  /// Markdown text that renders as exactly these characters: the characters that open inline
  /// markup backslash-escaped, `<`, `>` and `&` as entities (no HTML, no comment), control
  /// characters escaped; with `multiline`, newlines are kept and what would open a block at a
  /// line's start (a heading, a list, a quote, a rule) is escaped too.
  public static func markdown(_ text: String, multiline: Bool = false) -> String {
    let lines = (multiline ? block(text) : line(text)).split(separator: "\n", omittingEmptySubsequences: false)
    return lines.map { line in
      var out = ""
      var atStart = true
      for scalar in line.unicodeScalars {
        switch scalar {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\\", "`", "*", "_", "[", "]", "|", "!", "~":
          out += "\\"
          out.unicodeScalars.append(scalar)
        case "#", "-", "+", "=", ".", ")" where atStart && multiline:
          out += "\\"
          out.unicodeScalars.append(scalar)
        default: out.unicodeScalars.append(scalar)
        }
        if !(scalar == " " || scalar == "\t" || ("0"..."9").contains(scalar)) { atStart = false }
      }
      return out
    }.joined(separator: "\n")
  }

  /// A fenced code block holding `text`: the fence is longer than any run of backticks inside,
  /// so the text cannot close it.
  public static func fenced(_ text: String) -> String {
    let shown = block(text)
    let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: shown) + 1))
    return fence + "\n" + shown + (shown.hasSuffix("\n") ? "" : "\n") + fence + "\n"
  }

  /// An inline code span holding `text` on one line.
  public static func code(_ text: String) -> String {
    let shown = line(text)
    let ticks = String(repeating: "`", count: longestRun(of: "`", in: shown) + 1)
    let pad = shown.hasPrefix("`") || shown.hasSuffix("`") ? " " : ""
    return ticks + pad + shown + pad + ticks
  }

  private static func longestRun(of character: Character, in text: String) -> Int {
    var longest = 0
    var run = 0
    for c in text {
      run = c == character ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }
}
