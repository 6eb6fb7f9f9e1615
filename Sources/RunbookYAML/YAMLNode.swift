/// One located node of a YAML document: a scalar, a sequence or a mapping.
public struct YAMLNode: Sendable {
  public enum Content: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    case mapping([YAMLPair])
  }

  public var content: Content
  /// Where the node stands in the source; for an alias, where the alias stands.
  public var range: SourceRange

  public init(_ content: Content, range: SourceRange) {
    self.content = content
    self.range = range
  }

  /// The scalar, when this node is one.
  public var scalar: YAMLScalar? {
    if case .scalar(let s) = content { return s }
    return nil
  }

  /// The items, when this node is a sequence.
  public var sequence: [YAMLNode]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The pairs in source order, when this node is a mapping.
  public var mapping: [YAMLPair]? {
    if case .mapping(let pairs) = content { return pairs }
    return nil
  }

  /// True for a scalar that resolves to null (`~`, `null`, or nothing at all).
  public var isNull: Bool {
    if case .scalar(let s) = content, case .null = s.value { return true }
    return false
  }

  /// A word for the node's kind, for messages: "mapping", "sequence", "string", "integer"...
  public var kindDescription: String {
    switch content {
    case .mapping: "mapping"
    case .sequence: "sequence"
    case .scalar(let s): s.value.kindDescription
    }
  }
}

/// A key and its value in a mapping; keys are always scalars.
public struct YAMLPair: Sendable {
  public var key: YAMLNode
  public var value: YAMLNode

  public init(key: YAMLNode, value: YAMLNode) {
    self.key = key
    self.value = value
  }

  /// The key's text.
  public var name: String { key.scalar?.text ?? "" }
}
