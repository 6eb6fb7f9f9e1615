import RunbookKit

/// Waits a fixed time, or polls a read-only check until its `expect` holds.
public struct WaitAction: Action {
  public static let name = "wait"
  public static let summary = "Wait a fixed time, or poll a check until expect holds"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let inputs = [
    InputSpec("duration", .duration, "How long to wait (instead of a check)"),
    InputSpec("check", .string, "A read-only action to poll"),
    InputSpec("with", .any, "The check's inputs"),
    InputSpec("expect", .expression, "Must become true; reads the check's outputs as check.*"),
    InputSpec("within", .duration, default: .string("5m"), "Give up after this long"),
    InputSpec("every", .duration, default: .string("2s"), "Time between polls"),
  ]
  public static let outputs = [
    OutputSpec("waited", "duration", "How long it waited"),
    OutputSpec("polls", "int", "How many times the check ran"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    if let check = input.text("check") {
      let expect = input.text("expect") ?? "the check succeeds"
      return ActionPreview("poll \(check) every \(input.text("every") ?? "2s") until \(expect), within \(input.text("within") ?? "5m")")
    }
    return ActionPreview("wait \(input.text("duration") ?? "(no duration)")")
  }
}
