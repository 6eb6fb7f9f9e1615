/// The values bound to a runbook's params, and where each came from.
public struct ParamValues: Sendable {
  public enum Origin: String, Sendable {
    case commandLine = "command line"
    case file = "params file"
    case planFile = "plan file"
    case environment
    case defaultValue = "default"
    case unset
  }

  public var values: [String: Value]
  public var origins: [String: Origin]

  public init(values: [String: Value] = [:], origins: [String: Origin] = [:]) {
    self.values = values
    self.origins = origins
  }

  public subscript(name: String) -> Value? { values[name] }
}

/// A params file given with `--params`.
public struct ParamsFile: Sendable {
  public var path: String
  public var text: String

  public init(path: String, text: String) {
    self.path = path
    self.text = text
  }
}
