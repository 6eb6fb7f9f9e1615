import Foundation
import RunbookKit

/// Waits a fixed time, or polls a read-only check until its `expect` holds.
public struct WaitAction: Action {
  public static let name = "wait"
  public static let summary = "Wait a fixed time, or poll a check until expect holds"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  /// A probe says how things stand now; waiting is for apply.
  public static let probes = false
  /// Its check runs on the step's host; the waiting is the engine's.
  public static let runsOnEngine = true
  public static let inputs = [
    InputSpec("duration", .duration, "How long to wait (instead of a check)"),
    InputSpec("check", .check, "A read-only action to poll"),
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

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let started = ContinuousClock.now
    guard let check = input.text("check") else {
      guard let duration = input.duration("duration") else {
        throw ActionError(.invalidInput, "wait needs a duration or a check")
      }
      try await Task.sleep(for: duration)
      return ActionResult(["waited": .string(input.text("duration") ?? ""), "polls": .int(0)])
    }
    // Both have defaults, so resolution always gives them.
    guard let within = input.duration("within"), let every = input.duration("every") else {
      throw ActionError(.invalidInput, "wait needs within and every")
    }
    var inputs: [String: Value] = [:]
    if case .map(let given)? = input["with"] { inputs = given }
    var polls: Int64 = 0
    var lastProblem = "it never held"
    while true {
      polls += 1
      do {
        let outputs = try await context.runCheck(check, inputs)
        let holds: Bool
        if let expect = input.text("expect") {
          holds = try context.evaluateExpect(expect, outputs) == .bool(true)
        } else {
          holds = true
        }
        if holds { return ActionResult(["waited": .string(Self.format(ContinuousClock.now - started)), "polls": .int(polls)]) }
        lastProblem = "\(input.text("expect") ?? "the check") was still false"
      } catch let error as ActionError where error.code == .invalidInput {
        // A check that is not read-only, or inputs it refuses, never come right by waiting.
        throw error
      } catch let error as ActionError {
        lastProblem = error.message
      }
      if ContinuousClock.now - started + every > within {
        throw ActionError(.timedOut, "\(check) did not hold within \(input.text("within") ?? "5m") (\(polls) polls): \(lastProblem)")
      }
      try await Task.sleep(for: every)
    }
  }

  private static func format(_ duration: Duration) -> String {
    "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)ms"
  }
}
