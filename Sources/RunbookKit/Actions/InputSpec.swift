/// The type of an action input, used to check literal values, to document, and to build the schema.
public enum InputType: Sendable, Hashable {
  case string, int, bool, duration, path
  /// A list of strings.
  case list
  /// A mapping of strings to strings.
  case map
  /// A mapping of environment variable names (`[A-Za-z_][A-Za-z0-9_]*`) to strings.
  case environment
  /// One of the given words.
  case choice([String])
  /// Any YAML value (passed through as JSON).
  case any
  /// An expression the action evaluates itself, with `check.*` in scope (as in `wait`).
  case expression
  /// The name of a read-only action the action runs itself (as `wait` polls one): checked at
  /// validate as a check's action is (A501, A505).
  case check
  /// A shell script: each `${{ }}` value is bound to an environment variable, never spliced
  /// into the text (see `ShellScriptBinding`).
  case script

  public var name: String {
    switch self {
    case .string: "string"
    case .int: "int"
    case .bool: "bool"
    case .duration: "duration"
    case .path: "path"
    case .list: "list"
    case .map: "map"
    case .environment: "environment"
    case .choice(let words): words.joined(separator: "|")
    case .any: "any"
    case .expression: "expression"
    case .check: "check"
    case .script: "script"
    }
  }

  /// Whether `name` may name an environment variable: a NUL, `=` or newline in one would
  /// corrupt the environment block, and a shell could not read it.
  public static func isEnvironmentName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
    return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
  }
}

/// One input an action takes.
public struct InputSpec: Sendable, Hashable {
  public var name: String
  public var type: InputType
  public var required: Bool
  public var description: String
  /// The value used when the input is not given, as text (for docs and plans).
  public var defaultValue: Value?
  /// Whether every local user can read the value while the action runs (argv, in
  /// `/proc/PID/cmdline`), so that no secret may be given to it.
  public var isPublic: Bool

  public init(
    _ name: String, _ type: InputType, required: Bool = false, default defaultValue: Value? = nil, isPublic: Bool = false,
    _ description: String
  ) {
    self.name = name
    self.type = type
    self.required = required
    self.description = description
    self.defaultValue = defaultValue
    self.isPublic = isPublic
  }
}

/// One output an action produces, readable as `steps.ID.outputs.NAME` or `check.NAME`.
public struct OutputSpec: Sendable, Hashable {
  public var name: String
  public var type: String
  public var description: String

  public init(_ name: String, _ type: String, _ description: String) {
    self.name = name
    self.type = type
    self.description = description
  }
}
