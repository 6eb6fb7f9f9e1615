import Foundation

/// Run ids: given by the operator (`--run-id`), or made short and unique.
public enum RunIdentifier {
  public static func isValid(_ id: String) -> Bool {
    (1...64).contains(id.utf8.count)
      && id.utf8.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
      && id.first != "-"
  }

  /// Eight hex digits, drawn again if `exists` says the id is taken.
  public static func make(exists: (String) -> Bool) -> String {
    while true {
      let id = String(format: "%08x", UInt32.random(in: .min ... .max))
      if !exists(id) { return id }
    }
  }

  private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
  }
}
