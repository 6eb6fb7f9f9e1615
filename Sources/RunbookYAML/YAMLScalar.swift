/// A scalar as written (`text`, `style`) and as resolved by the YAML 1.2 core schema (`value`).
public struct YAMLScalar: Sendable, Hashable {
  public enum Style: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
  }

  public var text: String
  public var style: Style
  public var value: ScalarValue

  public init(text: String, style: Style, value: ScalarValue) {
    self.text = text
    self.style = style
    self.value = value
  }
}

/// The typed value of a scalar. Integers are 64-bit; decimals stay apart from integers.
public enum ScalarValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case float(Double)
  case string(String)

  public var kindDescription: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .int: "integer"
    case .float: "decimal"
    case .string: "string"
    }
  }
}
