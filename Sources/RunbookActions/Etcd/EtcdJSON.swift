import RunbookKit

/// etcdctl's JSON, read without losing member IDs: they are uint64 and exceed 2^53 (and 2^63),
/// so every integer too long for a double is read as text first and decoded as UInt64.
enum EtcdJSON {
  static func parse(_ text: String) -> JSONValue? {
    JSONValue.parse(quotingLongIntegers(text))
  }

  /// The text with every bare integer of 16 digits or more put in quotes.
  static func quotingLongIntegers(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + 64)
    let bytes = Array(text.utf8)
    var i = 0
    var inString = false
    while i < bytes.count {
      let byte = bytes[i]
      if inString {
        out.append(byte)
        if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
          out.append(bytes[i + 1])
          i += 2
          continue
        }
        if byte == UInt8(ascii: "\"") { inString = false }
        i += 1
        continue
      }
      if byte == UInt8(ascii: "\"") {
        inString = true
        out.append(byte)
        i += 1
        continue
      }
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        var end = i
        while end < bytes.count, bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9") { end += 1 }
        let isWhole = end >= bytes.count || ![UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[end])
        if end - i >= 16 && isWhole {
          out.append(UInt8(ascii: "\""))
          out.append(contentsOf: bytes[i..<end])
          out.append(UInt8(ascii: "\""))
        } else {
          out.append(contentsOf: bytes[i..<end])
        }
        i = end
        continue
      }
      out.append(byte)
      i += 1
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// A member ID as etcdctl's arguments take it: lowercase hex of the uint64.
  static func hexID(_ value: JSONValue?) -> String? {
    switch value {
    case .string(let text)?: return UInt64(text).map { String($0, radix: 16) }
    case .int(let number)?: return number >= 0 ? String(UInt64(number), radix: 16) : nil
    default: return nil
    }
  }
}
