/// Something wrong with a YAML text itself, located in the source.
public struct YAMLProblem: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// libyaml refused the text; `message` carries its words.
    case syntax
    /// A tab where indentation was expected.
    case tab
    case invalidUTF8
    case tooLarge(bytes: Int, limit: Int)
    case tooDeep(limit: Int)
    case aliasExpansion(limit: Int)
    case unknownAnchor(String)
    case duplicateKey(String, first: SourceRange)
    case nonScalarKey
    case badMerge
    case multipleDocuments
    case unsupportedTag(String)
    case integerOutOfRange(String)
  }

  public var kind: Kind
  public var message: String
  public var range: SourceRange

  public init(_ kind: Kind, _ message: String, at range: SourceRange) {
    self.kind = kind
    self.message = message
    self.range = range
  }
}

/// What parsing a text produced: a root node (nil for an empty document or a fatal problem) and
/// every problem found.
public struct YAMLParseResult: Sendable {
  public var root: YAMLNode?
  public var problems: [YAMLProblem]
}
