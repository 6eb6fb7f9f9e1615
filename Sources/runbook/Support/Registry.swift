import Foundation
import RunbookActions
import RunbookKit

/// The actions a command may use: the built-ins and the plugins on RUNBOOK_PLUGIN_PATH and PATH.
/// A broken plugin is a warning on stderr, and runbooks using it fail as an unknown action.
enum Registry {
  static func load() -> ActionRegistry {
    let (registry, problems) = ActionCatalog.load(environment: ProcessInfo.processInfo.environment)
    for problem in problems { Terminal.standardError("warning: \(problem)\n") }
    return registry
  }
}
