import RunbookYAML

/// A value written under `with:`: a literal, a string template, or a list or mapping of them.
public indirect enum InputValue: Sendable {
  case literal(Value, SourceRange)
  case template(Template)
  case list([InputValue], SourceRange)
  case map([InputEntry], SourceRange)

  public var range: SourceRange {
    switch self {
    case .literal(_, let r), .list(_, let r), .map(_, let r): r
    case .template(let t): t.node.range
    }
  }

  /// Every template inside, depth first.
  public var templates: [Template] {
    switch self {
    case .literal: []
    case .template(let t): [t]
    case .list(let items, _): items.flatMap(\.templates)
    case .map(let entries, _): entries.flatMap(\.value.templates)
    }
  }
}

/// One `key: value` under `with:`.
public struct InputEntry: Sendable {
  public var name: String
  public var keyRange: SourceRange
  public var value: InputValue

  public init(name: String, keyRange: SourceRange, value: InputValue) {
    self.name = name
    self.keyRange = keyRange
    self.value = value
  }
}
