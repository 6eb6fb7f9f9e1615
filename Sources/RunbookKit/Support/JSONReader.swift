/// The one JSON reader (docs/running.md, "JSON"): RFC 8259 text into a `JSONValue`, keeping every
/// integer exact — in Int64 as `.int`, beyond it (etcd's uint64 member ids, up to any length) as
/// `.bigInteger` with its digits — and refusing nesting deeper than `maxDepth`.
struct JSONReader {
  static let maxDepth = 512

  private let bytes: [UInt8]
  private var i = 0
  private var depth = 0

  static func read(_ text: String) -> JSONValue? {
    var reader = JSONReader(bytes: Array(text.utf8))
    reader.skipBlanks()
    guard let value = reader.value() else { return nil }
    reader.skipBlanks()
    return reader.i == reader.bytes.count ? value : nil
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

  private mutating func skipBlanks() {
    while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
    let w = Array(word.utf8)
    guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return nil }
    i += w.count
    return value
  }

  private mutating func value() -> JSONValue? {
    switch current {
    case UInt8(ascii: "{")?: return object()
    case UInt8(ascii: "[")?: return array()
    case UInt8(ascii: "\"")?: return string().map(JSONValue.string)
    case UInt8(ascii: "t")?: return literal("true", .bool(true))
    case UInt8(ascii: "f")?: return literal("false", .bool(false))
    case UInt8(ascii: "n")?: return literal("null", .null)
    default: return number()
    }
  }

  private mutating func nested<T>(_ body: (inout JSONReader) -> T?) -> T? {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maxDepth else { return nil }
    return body(&self)
  }

  private mutating func object() -> JSONValue? {
    nested { reader in
      reader.i += 1
      var members: [JSONValue.Member] = []
      reader.skipBlanks()
      if reader.current == UInt8(ascii: "}") {
        reader.i += 1
        return .object(members)
      }
      while true {
        reader.skipBlanks()
        guard reader.current == UInt8(ascii: "\""), let key = reader.string() else { return nil }
        reader.skipBlanks()
        guard reader.current == UInt8(ascii: ":") else { return nil }
        reader.i += 1
        reader.skipBlanks()
        guard let value = reader.value() else { return nil }
        members.append(.init(key, value))
        reader.skipBlanks()
        switch reader.current {
        case UInt8(ascii: ",")?: reader.i += 1
        case UInt8(ascii: "}")?:
          reader.i += 1
          return .object(members)
        default: return nil
        }
      }
    }
  }

  private mutating func array() -> JSONValue? {
    nested { reader in
      reader.i += 1
      var items: [JSONValue] = []
      reader.skipBlanks()
      if reader.current == UInt8(ascii: "]") {
        reader.i += 1
        return .array(items)
      }
      while true {
        reader.skipBlanks()
        guard let value = reader.value() else { return nil }
        items.append(value)
        reader.skipBlanks()
        switch reader.current {
        case UInt8(ascii: ",")?: reader.i += 1
        case UInt8(ascii: "]")?:
          reader.i += 1
          return .array(items)
        default: return nil
        }
      }
    }
  }

  private mutating func hex4() -> UInt32? {
    guard i + 4 <= bytes.count, let n = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { return nil }
    i += 4
    return n
  }

  private mutating func string() -> String? {
    i += 1
    var out: [UInt8] = []
    while let c = current {
      i += 1
      switch c {
      case UInt8(ascii: "\""):
        return String(validating: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let e = current else { return nil }
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          guard var code = hex4() else { return nil }
          if (0xD800..<0xDC00).contains(code) {
            guard current == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else { return nil }
            i += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { return nil }
          out += Array(String(Character(scalar)).utf8)
        default: return nil
        }
      case 0..<0x20:
        return nil
      default:
        out.append(c)
      }
    }
    return nil
  }

  private mutating func number() -> JSONValue? {
    let start = i
    if current == UInt8(ascii: "-") { i += 1 }
    let digitsStart = i
    while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
    guard i > digitsStart, bytes[digitsStart] != UInt8(ascii: "0") || i == digitsStart + 1 else { return nil }
    var integral = true
    if current == UInt8(ascii: ".") {
      integral = false
      i += 1
      let fraction = i
      while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
      guard i > fraction else { return nil }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      integral = false
      i += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
      let exponent = i
      while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { i += 1 }
      guard i > exponent else { return nil }
    }
    let text = String(decoding: bytes[start..<i], as: UTF8.self)
    if integral { return Int64(text).map(JSONValue.int) ?? .bigInteger(text) }
    return Double(text).map(JSONValue.double)
  }
}
