/// Resolves plain scalars by the YAML 1.2 core schema: `yes` stays a string, `0x1F` is 31,
/// `1e3` is a decimal, `~` is null. Quoted and block scalars are always strings.
enum ScalarResolver {
  enum Resolution {
    case value(ScalarValue)
    case integerOutOfRange
  }

  static func resolve(_ text: String, style: YAMLScalar.Style, tag: String?) -> Resolution? {
    switch tag {
    case nil, "!":
      break
    case "tag:yaml.org,2002:str":
      return .value(.string(text))
    case "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
      "tag:yaml.org,2002:float":
      guard let resolved = resolvePlain(text) else { return nil }
      if case .value(let v) = resolved, !matches(v, tag: tag!) { return nil }
      return resolved
    default:
      return nil
    }
    if style != .plain || tag == "!" { return .value(.string(text)) }
    return resolvePlain(text) ?? .value(.string(text))
  }

  private static func matches(_ value: ScalarValue, tag: String) -> Bool {
    switch (value, tag) {
    case (.null, "tag:yaml.org,2002:null"), (.bool, "tag:yaml.org,2002:bool"),
      (.int, "tag:yaml.org,2002:int"), (.float, "tag:yaml.org,2002:float"):
      true
    case (.int(let i), "tag:yaml.org,2002:float"):
      Double(exactly: i) != nil
    default:
      false
    }
  }

  private static func resolvePlain(_ text: String) -> Resolution? {
    guard let head = text.utf8.first else { return .value(.null) }
    let mayBeNumber = head == UInt8(ascii: "-") || head == UInt8(ascii: "+") || head == UInt8(ascii: ".") || isDigit(head)
    // Every word of the core schema (null, true, .inf...) is at most five bytes long.
    if !mayBeNumber && text.utf8.count > 5 { return nil }
    switch text {
    case "", "~", "null", "Null", "NULL": return .value(.null)
    case "true", "True", "TRUE": return .value(.bool(true))
    case "false", "False", "FALSE": return .value(.bool(false))
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .value(.float(.infinity))
    case "-.inf", "-.Inf", "-.INF": return .value(.float(-.infinity))
    case ".nan", ".NaN", ".NAN": return .value(.float(.nan))
    default: break
    }
    let bytes = Array(text.utf8)
    guard let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
      || first == UInt8(ascii: ".") || isDigit(first)
    else { return nil }
    if let integer = integer(bytes) { return integer }
    if isDecimal(bytes), let d = Double(text) { return .value(.float(d)) }
    return nil
  }

  private static func integer(_ b: [UInt8]) -> Resolution? {
    if b.count > 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "x") {
      let digits = b[2...]
      guard digits.allSatisfy(isHexDigit) else { return nil }
      guard let v = Int64(String(decoding: digits, as: UTF8.self), radix: 16) else { return .integerOutOfRange }
      return .value(.int(v))
    }
    if b.count > 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "o") {
      let digits = b[2...]
      guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
      guard let v = Int64(String(decoding: digits, as: UTF8.self), radix: 8) else { return .integerOutOfRange }
      return .value(.int(v))
    }
    var digits = b[...]
    if let f = digits.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
    guard let v = Int64(String(decoding: b, as: UTF8.self)) else { return .integerOutOfRange }
    return .value(.int(v))
  }

  /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
  private static func isDecimal(_ b: [UInt8]) -> Bool {
    var i = 0
    if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
    let intStart = i
    while i < b.count, isDigit(b[i]) { i += 1 }
    let intDigits = i - intStart
    var fracDigits = 0
    if i < b.count, b[i] == UInt8(ascii: ".") {
      i += 1
      let fracStart = i
      while i < b.count, isDigit(b[i]) { i += 1 }
      fracDigits = i - fracStart
      if intDigits == 0 && fracDigits == 0 { return false }
    } else if intDigits == 0 {
      return false
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
      i += 1
      if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
      let expStart = i
      while i < b.count, isDigit(b[i]) { i += 1 }
      if i == expStart { return false }
    }
    return i == b.count
  }

  private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
  private static func isHexDigit(_ c: UInt8) -> Bool {
    isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
  }
}
