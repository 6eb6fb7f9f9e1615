import Foundation
import RunbookKit

/// The state directory of DESIGN.md §7: `--state-dir`, else `$RUNBOOK_STATE_DIR`, else
/// `$XDG_STATE_HOME/runbook`, else `~/.local/state/runbook`; created 0700.
public struct StateDirectory: Sendable {
  public var path: String

  public init(explicit: String?, environment: [String: String]) {
    if let explicit, !explicit.isEmpty {
      path = explicit
    } else if let fromEnvironment = environment["RUNBOOK_STATE_DIR"], !fromEnvironment.isEmpty {
      path = fromEnvironment
    } else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
      path = xdg + "/runbook"
    } else {
      path = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/runbook"
    }
  }

  /// The journal database inside it.
  public var databasePath: String { path + "/journal.sqlite" }

  /// Creates the directory and its parents (0700) if needed, and tightens its mode if it is looser.
  public func prepare() throws {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
        throw StateStoreError(.storage, "cannot create \(prefix): \(String(cString: strerror(errno)))")
      }
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw StateStoreError(.storage, "\(path) is not a directory")
    }
    chmod(path, 0o700)
  }
}
