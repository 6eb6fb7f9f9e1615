/// One probed fact a plan's rendering depends on — a check's outcome, a step's status, a step
/// output another expression reads — named so that a reviewer and `apply` can compare it
/// (`steps.status.outputs.leader`, `preconditions[1]`, `defrag[0].skip_if[0]`).
public struct Fact: Sendable, Equatable {
  public var name: String
  public var value: JSONValue

  public init(name: String, value: JSONValue) {
    self.name = name
    self.value = value
  }
}
