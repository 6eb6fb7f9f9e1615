import Foundation

/// Renders argv as a command line a person can read and paste: words that need it are quoted.
public enum ShellQuoting {
  /// Bytes that never need quoting: letters, digits and `@%_-+=:,./`.
  private static let safe: [Bool] = (0..<128).map { byte in
    let scalar = Unicode.Scalar(UInt8(byte))
    return ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
      || "@%_-+=:,./".unicodeScalars.contains(scalar)
  }

  /// A word that holds a control character (a newline, an escape) is written `$'...'` with
  /// the character escaped, so a command line stays on one line and draws nothing (bash, zsh
  /// and ksh read it back as the same word).
  public static func quote(_ word: String) -> String {
    if !word.isEmpty, word.utf8.allSatisfy({ $0 < 128 && safe[Int($0)] }) { return word }
    guard word.unicodeScalars.contains(where: isControl) else {
      return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    var out = "$'"
    for scalar in word.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "'": out += "\\'"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where isControl(scalar): out += String(format: "\\x%02x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }

  /// C0 controls and DEL; C1 controls are shown escaped by `VisibleText` wherever they stand.
  private static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7f }

  /// A value as one argv word; unknown values keep their placeholder, unquoted.
  public static func word(_ value: Value) -> String {
    if case .unknown(let u) = value { return u.display }
    return quote(value.plainText)
  }

  public static func commandLine(_ argv: Value?) -> String {
    switch argv {
    case .list(let items)?: items.map(word).joined(separator: " ")
    case let value?: value.plainText
    case nil: ""
    }
  }
}
