import RunbookYAML

/// The value Ansible reads from a YAML inventory or vars file. Ansible's YAML is YAML 1.1, so a
/// plain scalar is typed by 1.1's rules, not the 1.2 core schema runbooks use: `yes`, `on`, `off`
/// and `no` are booleans, `0755` is octal (493), `1:30` is 90, `1e3` is a string
/// (docs/running.md, "Hosts and inventories").
enum AnsibleYAML {
  static func value(_ node: YAMLNode) -> Value {
    switch node.content {
    case .mapping(let pairs):
      var map: [String: Value] = [:]
      for pair in pairs { map[pair.name] = value(pair.value) }
      return .map(map)
    case .sequence(let items):
      return .list(items.map(value))
    case .scalar(let scalar):
      guard scalar.style == .plain else { return .string(scalar.text) }
      return plain(scalar.text)
    }
  }

  /// A plain scalar by YAML 1.1's resolvers, as PyYAML has them (a timestamp stays its text).
  static func plain(_ text: String) -> Value {
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
    case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .decimal(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .decimal(-.infinity)
    case ".nan", ".NaN", ".NAN": return .decimal(.nan)
    default: break
    }
    if let integer = integer(text) { return integer }
    return decimal(text) ?? .string(text)
  }

  private static func integer(_ text: String) -> Value? {
    guard text.wholeMatch(of: #/[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+/#) != nil
    else { return nil }
    var digits = text.replacingOccurrences(of: "_", with: "")
    var sign: Int64 = 1
    if digits.hasPrefix("-") { sign = -1 }
    if digits.hasPrefix("-") || digits.hasPrefix("+") { digits.removeFirst() }
    if digits == "0" { return .int(0) }
    if digits.contains(":") {
      return sexagesimal(digits).map { .int(sign * Int64($0)) }
    }
    let (body, radix) =
      digits.hasPrefix("0b") ? (String(digits.dropFirst(2)), 2)
      : digits.hasPrefix("0x") ? (String(digits.dropFirst(2)), 16)
      : digits.hasPrefix("0") ? (String(digits.dropFirst()), 8) : (digits, 10)
    if let n = Int64(body, radix: radix) { return .int(sign * n) }
    return radix == 10 ? .bigInteger((sign < 0 ? "-" : "") + body) : nil
  }

  private static func decimal(_ text: String) -> Value? {
    guard text.wholeMatch(of: #/[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*/#) != nil
    else { return nil }
    var digits = text.replacingOccurrences(of: "_", with: "").lowercased()
    var sign = 1.0
    if digits.hasPrefix("-") { sign = -1 }
    if digits.hasPrefix("-") || digits.hasPrefix("+") { digits.removeFirst() }
    if digits.contains(":") {
      let parts = digits.split(separator: ":").map(String.init)
      var value = 0.0
      for part in parts { value = value * 60 + (Double(part) ?? 0) }
      return .decimal(sign * value)
    }
    if digits.hasPrefix(".") { digits = "0" + digits }
    if digits.hasSuffix(".") { digits += "0" }
    return Double(digits).map { .decimal(sign * $0) }
  }

  /// `1:30` as 90: base-60 digits, most significant first.
  private static func sexagesimal(_ text: String) -> Int? {
    var value = 0
    for part in text.split(separator: ":") {
      guard let n = Int(part) else { return nil }
      let (scaled, overflow) = value.multipliedReportingOverflow(by: 60)
      guard !overflow else { return nil }
      value = scaled + n
    }
    return value
  }
}
