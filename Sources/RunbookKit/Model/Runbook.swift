import Crypto
import RunbookYAML

/// A loaded runbook of format v1, with where each part was written.
public struct Runbook: Sendable {
  public var file: String
  /// The exact text it was loaded from.
  public var text: String
  public var version: Int64
  public var name: Located<String>
  public var title: String?
  public var description: String?
  public var lock: Template?
  public var params: [ParamSpec]
  public var preconditions: [CheckSpec]
  /// The signed approvals a run needs (`review:`); nil when it demands none.
  public var review: ReviewDemand?
  /// How old a plan file of it may be at apply (`review: { max_plan_age }`); the command line
  /// may ask for less, never more.
  public var maxPlanAge: RunbookDuration?
  public var steps: [Step] {
    didSet { stepIndex = Self.index(steps) }
  }
  /// Position of the first step with each id, for constant-time lookups on large runbooks.
  private var stepIndex: [String: Int]

  public init(
    file: String, text: String, version: Int64, name: Located<String>, title: String?, description: String?,
    lock: Template?, params: [ParamSpec], preconditions: [CheckSpec], steps: [Step], review: ReviewDemand? = nil,
    maxPlanAge: RunbookDuration? = nil
  ) {
    self.file = file
    self.text = text
    self.version = version
    self.name = name
    self.title = title
    self.description = description
    self.lock = lock
    self.params = params
    self.preconditions = preconditions
    self.review = review
    self.maxPlanAge = maxPlanAge
    self.steps = steps
    stepIndex = Self.index(steps)
  }

  private static func index(_ steps: [Step]) -> [String: Int] {
    var index: [String: Int] = [:]
    for (i, step) in steps.enumerated() where index[step.id.value] == nil { index[step.id.value] = i }
    return index
  }

  /// The lowercase hex sha256 of `text`.
  public var sha256: String { Self.sha256(text) }

  public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }
  public func step(_ id: String) -> Step? { stepIndex[id].map { steps[$0] } }

  public static func sha256(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).hex
  }
}

import Foundation
