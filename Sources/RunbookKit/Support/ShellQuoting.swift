import Foundation

/// Renders argv as a command line a person can read and paste: words that need it are quoted.
public enum ShellQuoting {
  /// Bytes that never need quoting: letters, digits and `@%_-+=:,./`.
  private static let safe: [Bool] = (0..<128).map { byte in
    let scalar = Unicode.Scalar(UInt8(byte))
    return ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
      || "@%_-+=:,./".unicodeScalars.contains(scalar)
  }

  public static func quote(_ word: String) -> String {
    if !word.isEmpty, word.utf8.allSatisfy({ $0 < 128 && safe[Int($0)] }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

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
