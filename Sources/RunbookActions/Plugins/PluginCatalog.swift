import Foundation
import RunbookKit

/// Finds external actions: executables named `runbook-action-NAME` (dots in NAME written as
/// dashes) on `RUNBOOK_PLUGIN_PATH`, then `PATH`, and asks each to `describe` itself.
public struct PluginCatalog: Sendable {
  public static let prefix = "runbook-action-"

  /// A plugin that could not be used, and why.
  public struct Problem: Sendable, CustomStringConvertible {
    public var executable: String
    public var reason: String
    public var description: String { "plugin \(executable): \(reason)" }
  }

  public private(set) var plugins: [ActionDescriptor] = []
  public private(set) var problems: [Problem] = []

  public init(environment: [String: String]) {
    var seen: Set<String> = []
    for directory in Self.searchPath(environment) {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
      for entry in entries.sorted() where entry.hasPrefix(Self.prefix) && seen.insert(entry).inserted {
        let executable = directory + "/" + entry
        guard FileManager.default.isExecutableFile(atPath: executable) else { continue }
        do {
          plugins.append(try PluginDescription.describe(executable: executable, expectedName: String(entry.dropFirst(Self.prefix.count))))
        } catch let error as ActionError {
          problems.append(Problem(executable: executable, reason: error.message))
        } catch {
          problems.append(Problem(executable: executable, reason: "\(error)"))
        }
      }
    }
  }

  static func searchPath(_ environment: [String: String]) -> [String] {
    let plugin = (environment["RUNBOOK_PLUGIN_PATH"] ?? "").split(separator: ":").map(String.init)
    let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
    return (plugin + path).filter { !$0.isEmpty }
  }
}

/// The built-in actions and the plugins found, in one registry; a plugin never replaces a built-in.
public enum ActionCatalog {
  public static func load(environment: [String: String]) -> (registry: ActionRegistry, problems: [PluginCatalog.Problem]) {
    var registry = BuiltinActions.registry
    let catalog = PluginCatalog(environment: environment)
    var problems = catalog.problems
    for plugin in catalog.plugins {
      if registry[plugin.name] != nil {
        problems.append(.init(executable: PluginCatalog.prefix + plugin.name, reason: "'\(plugin.name)' is a built-in action; the plugin is ignored"))
      } else {
        registry.register(plugin)
      }
    }
    return (registry, problems)
  }
}
