/// Splits a line into words as a POSIX shell does (and as Ansible does with Python's
/// `shlex.split`): blanks separate words, single quotes keep everything, double quotes keep all
/// but `\"` and `\\`, a backslash outside quotes keeps the next character. Used for the words of
/// an inventory host line and for `ansible_ssh_common_args`.
public enum ShellWords {
  public enum Failure: Error, Equatable, Sendable {
    /// A quote opened and never closed.
    case unclosedQuote(Character)
    /// A backslash at the very end.
    case danglingEscape

    public var reason: String {
      switch self {
      case .unclosedQuote(let quote): "no closing \(quote == "'" ? "single" : "double") quote"
      case .danglingEscape: "a backslash with nothing after it"
      }
    }
  }

  /// The words of `line`; with `comments`, a `#` outside quotes ends the line.
  public static func split(_ line: String, comments: Bool = false) throws(Failure) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = line.makeIterator()
    while let c = iterator.next() {
      switch c {
      case " ", "\t", "\n", "\r":
        if inWord { words.append(word) }
        word = ""
        inWord = false
      case "#" where comments:
        if inWord { words.append(word) }
        return words
      case "\\":
        guard let next = iterator.next() else { throw .danglingEscape }
        word.append(next)
        inWord = true
      case "'", "\"":
        inWord = true
        var closed = false
        while let q = iterator.next() {
          if q == c {
            closed = true
            break
          }
          if c == "\"", q == "\\" {
            guard let escaped = iterator.next() else { break }
            if escaped != "\"" && escaped != "\\" { word.append("\\") }
            word.append(escaped)
          } else {
            word.append(q)
          }
        }
        if !closed { throw .unclosedQuote(c) }
      default:
        word.append(c)
        inWord = true
      }
    }
    if inWord { words.append(word) }
    return words
  }
}
