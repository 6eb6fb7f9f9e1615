import RunbookYAML

/// An action and its inputs: the body of a step, an `undo`, or a check.
public struct ActionCall: Sendable {
  public var action: Located<String>
  public var with: [InputEntry]
  /// Where `with:` stands, or the call itself when there is none.
  public var range: SourceRange

  public init(action: Located<String>, with: [InputEntry], range: SourceRange) {
    self.action = action
    self.with = with
    self.range = range
  }
}
