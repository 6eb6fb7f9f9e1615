import RunbookYAML

/// One declared param of a runbook.
public struct ParamSpec: Sendable {
  public var name: String
  public var type: ParamType
  public var description: String?
  public var required: Bool
  public var defaultValue: Value?
  /// The values allowed (`enum:`), when restricted.
  public var allowed: [Value]?
  /// A regular expression every string value (each item of a list) must match in full.
  public var pattern: String?
  /// Never stored, logged or printed.
  public var secret: Bool
  /// An environment variable the value may come from.
  public var env: String?
  /// Where the param's name is declared, and in which file.
  public var range: SourceRange
  public var file: String
}
