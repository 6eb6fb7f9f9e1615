import Foundation

/// Looks at a process group a step started, to tell whether any of it still runs.
enum ProcessGroup {
  /// Whether a process of `group`, other than a zombie, is alive on this host.
  static func isAlive(_ group: Int32) -> Bool {
    guard group > 0, kill(-group, 0) == 0 || errno == EPERM else { return false }
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
    for entry in entries where entry.first?.isNumber == true {
      guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      // After "pid (comm)": state, ppid, pgrp, ...
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      if fields.count > 2, fields[2] == Substring(String(group)), fields[0] != "Z" { return true }
    }
    return false
  }
}
