/// Everything the engine knows about an action before running it: a built-in's static facts,
/// or what an external plugin printed for `describe`.
public struct ActionDescriptor: Sendable {
  public var name: String
  public var summary: String
  public var effect: Effect
  public var idempotent: Bool
  public var inputs: [InputSpec]
  public var outputs: [OutputSpec]
  public var describe: @Sendable (ResolvedInput) -> ActionPreview
  public var run: @Sendable (ResolvedInput, ActionContext) async throws -> ActionResult
  /// A plugin's executable, pinned by sealed plans; nil for a built-in.
  public var executable: String?
  /// `Action.volatileFields`: left out of a sealed plan's facts.
  public var volatileFields: Set<String> = []
  /// `Action.probes`: whether a probe runs it when it is read-only.
  public var probes = true
  /// `Action.runsOnEngine`.
  public var runsOnEngine = false

  public init(
    name: String, summary: String, effect: Effect, idempotent: Bool, inputs: [InputSpec], outputs: [OutputSpec],
    describe: @escaping @Sendable (ResolvedInput) -> ActionPreview,
    run: @escaping @Sendable (ResolvedInput, ActionContext) async throws -> ActionResult, executable: String? = nil
  ) {
    self.run = run
    self.executable = executable
    self.name = name
    self.summary = summary
    self.effect = effect
    self.idempotent = idempotent
    self.inputs = inputs
    self.outputs = outputs
    self.describe = describe
  }

  public func input(_ name: String) -> InputSpec? { inputs.first { $0.name == name } }
}
