/// What an expression may read where it is written.
struct ReferenceScope {
  enum CheckOutputs {
    case none
    /// Inside a check whose action is known: its outputs.
    case outputs(action: String, [String])
    /// Inside an expression-only check (`expect` without `check:`): it reads nothing.
    case nothing
    /// Inside a check whose action is unknown (already reported).
    case any
  }

  /// The step it is written in; nil at run level.
  var step: String?
  var stepsVisible: Bool
  /// Whether the step may read its own outputs (in `verify` and `undo`).
  var includesSelf = false
  var check: CheckOutputs = .none
  var itemName: String?

  var names: [String] {
    var names = ["params"]
    if stepsVisible { names.append("steps") }
    if case .none = check {} else { names.append("check") }
    if let itemName { names.append(itemName) }
    return names + ["run", "env"]
  }

  func inCheck(_ outputs: CheckOutputs) -> ReferenceScope {
    var copy = self
    copy.check = outputs
    return copy
  }
}
