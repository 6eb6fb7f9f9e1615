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
  /// Whether it is read on an inventory host (a step with `on:`), where `host` is bound.
  var onHost = false

  var names: [String] {
    var names = RunScope.names.filter { stepsVisible || $0 != "steps" }
    var local: [String] = []
    if case .none = check {} else { local.append("check") }
    if let itemName { local.append(itemName) }
    if onHost { local.append("host") }
    names.insert(contentsOf: local, at: names.firstIndex(of: "run") ?? names.endIndex)
    return names
  }

  func inCheck(_ outputs: CheckOutputs) -> ReferenceScope {
    var copy = self
    copy.check = outputs
    return copy
  }
}
