import RunbookKit

/// Renders argv as a command line a person can read and paste: words that need it are quoted.
enum ShellQuoting {
  static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_-+=:,./")

  static func quote(_ word: String) -> String {
    if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// A value as one argv word; unknown values keep their placeholder, unquoted.
  static func word(_ value: Value) -> String {
    if case .unknown(let u) = value { return u.display }
    return quote(value.plainText)
  }

  static func commandLine(_ argv: Value?) -> String {
    switch argv {
    case .list(let items)?: items.map(word).joined(separator: " ")
    case let value?: value.plainText
    case nil: ""
    }
  }
}

import Foundation
