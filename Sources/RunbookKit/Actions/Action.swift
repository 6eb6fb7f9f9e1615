/// An operation a step or a check performs, described by static facts that drive validation,
/// documentation, the schema and plans.
///
/// The executor calls `run(_:in:)`; a plan only ever calls `describe(_:)`.
public protocol Action: Sendable {
  /// The name runbooks use, e.g. `etcd.defrag`.
  static var name: String { get }
  /// One sentence for `runbook actions`.
  static var summary: String { get }
  static var effect: Effect { get }
  /// Whether running it twice has the same result as running it once.
  static var idempotent: Bool { get }
  static var inputs: [InputSpec] { get }
  static var outputs: [OutputSpec] { get }
  /// Output fields, at any depth, that differ between two reads of an unchanged system (sizes,
  /// revisions, time left): a sealed plan's probed facts leave them out.
  static var volatileFields: Set<String> { get }
  /// Whether `plan --probe` runs it when it is read-only: false for one that only waits.
  static var probes: Bool { get }
  /// Whether it runs where the engine runs even in a step with `on:`: true for one that only
  /// polls checks, which then run on the host.
  static var runsOnEngine: Bool { get }

  init()

  /// How the plan shows this action with these inputs: the exact command, file or wait.
  func describe(_ input: ResolvedInput) -> ActionPreview

  /// Does the work; a failure is an `ActionError`. Cancellation means "stop now" (a timeout).
  func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult
}

extension Action {
  public static var volatileFields: Set<String> { [] }
  public static var probes: Bool { true }
  public static var runsOnEngine: Bool { false }

  public static var descriptor: ActionDescriptor {
    let action = Self()
    var descriptor = ActionDescriptor(
      name: name, summary: summary, effect: effect, idempotent: idempotent, inputs: inputs, outputs: outputs,
      describe: { action.describe($0) }, run: { try await action.run($0, in: $1) })
    descriptor.volatileFields = volatileFields
    descriptor.probes = probes
    descriptor.runsOnEngine = runsOnEngine
    return descriptor
  }
}

/// The values an action receives: rendered inputs, possibly unknown at plan time, defaults applied.
public struct ResolvedInput: Sendable {
  public var values: [String: Value]
  /// Environment variables that carry the values of `${{ }}` expressions inside a shell script
  /// input, so that no value is ever read as shell syntax.
  public var bindings: [String: Value]
  /// The duration inputs, parsed once when the inputs were resolved.
  public var durations: [String: RunbookDuration]

  public init(_ values: [String: Value], bindings: [String: Value] = [:], durations: [String: RunbookDuration] = [:]) {
    self.values = values
    self.bindings = bindings
    self.durations = durations
  }

  public subscript(name: String) -> Value? { values[name] }

  /// A duration input as resolved; nil when it was not given and has no default.
  public func duration(_ name: String) -> Duration? { durations[name]?.duration }

  /// The value as text: strings as they are, unknown values as their placeholder.
  public func text(_ name: String) -> String? {
    values[name].map(\.plainText)
  }
}

/// What a plan shows for one action.
public struct ActionPreview: Sendable, Hashable {
  /// One line: what happens.
  public var summary: String
  /// The exact command lines or script, when the action runs one.
  public var commands: [String]

  public init(_ summary: String, commands: [String] = []) {
    self.summary = summary
    self.commands = commands
  }
}
