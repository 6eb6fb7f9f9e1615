/// Finds the first byte sequence that is not valid UTF-8, as a 1-based line and column.
enum UTF8Validation {
  static func firstInvalid(in bytes: [UInt8]) -> Mark? {
    var line = 1
    var column = 1
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar):
        if scalar == "\n" {
          line += 1
          column = 1
        } else {
          column += 1
        }
      case .emptyInput:
        return nil
      case .error:
        return Mark(line: line, column: column)
      }
    }
  }
}
