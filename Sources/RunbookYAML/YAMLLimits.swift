/// Hard limits that keep hostile or accidental input from exhausting time or memory.
public struct YAMLLimits: Sendable {
  /// Largest accepted document, in bytes.
  public var maxBytes: Int
  /// Deepest accepted nesting of sequences and mappings.
  public var maxDepth: Int
  /// Most nodes that aliases may add by expansion (a "billion laughs" document trips this early).
  public var maxAliasExpansion: Int

  public init(maxBytes: Int = 8 << 20, maxDepth: Int = 64, maxAliasExpansion: Int = 100_000) {
    self.maxBytes = maxBytes
    self.maxDepth = maxDepth
    self.maxAliasExpansion = maxAliasExpansion
  }

  public static let `default` = YAMLLimits()
}
