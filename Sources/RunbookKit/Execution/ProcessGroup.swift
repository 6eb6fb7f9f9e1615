import Foundation

/// Looks at the command a step started, to tell whether it still runs.
public enum ProcessGroup {
  /// Whether the group's leader — the step's own command — is alive on this host and not a
  /// zombie. Processes it left behind on purpose (a daemon it started) do not count.
  public static func leaderIsAlive(_ group: Int32) -> Bool {
    guard group > 0, kill(group, 0) == 0 || errno == EPERM else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(group)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
      return true
    }
    // After "pid (comm)": state, ppid, pgrp, ...
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 2 && fields[2] == Substring(String(group)) && fields[0] != "Z"
  }
}
