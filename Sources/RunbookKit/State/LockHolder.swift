import Foundation

/// Who holds a lock: the run, and its process identified so that neither a reused pid nor a
/// process in another pid namespace is mistaken for it (docs/running.md, "Locks"): host, boot id, pid
/// namespace, pid, and the process's start time in clock ticks since boot.
public struct LockHolder: Sendable, Equatable {
  public var name: String
  public var runID: String
  public var pid: Int32
  public var host: String
  public var since: Date
  /// `/proc/sys/kernel/random/boot_id`; empty for a holder journaled before it was kept.
  public var bootID: String
  /// The target of `/proc/self/ns/pid`, e.g. `pid:[4026531836]`.
  public var pidNamespace: String
  /// Field 22 of `/proc/PID/stat`.
  public var startTime: UInt64

  public init(
    name: String, runID: String, pid: Int32, host: String, since: Date, bootID: String = "", pidNamespace: String = "",
    startTime: UInt64 = 0
  ) {
    self.name = name
    self.runID = runID
    self.pid = pid
    self.host = host
    self.since = since
    self.bootID = bootID
    self.pidNamespace = pidNamespace
    self.startTime = startTime
  }
}

extension LockHolder {
  /// The same run in the same process: asking again is not contention.
  public func isSameHolder(as other: LockHolder) -> Bool {
    runID == other.runID && pid == other.pid && host == other.host
  }

  /// This process as a holder of `name` for `runID`.
  public static func current(name: String, runID: String, host: String, since: Date = Date()) -> LockHolder {
    let pid = getpid()
    return LockHolder(
      name: name, runID: runID, pid: pid, host: host, since: since, bootID: ProcessIdentity.bootID,
      pidNamespace: ProcessIdentity.pidNamespace(of: "self"), startTime: ProcessIdentity.startTime(of: pid) ?? 0)
  }

  /// Whether this holder is certainly gone, seen from `observer` (this process): on the same
  /// host, either the machine rebooted since, or in the same boot and pid namespace its pid runs
  /// no process or one started at another time. A holder in another pid namespace or on another
  /// host cannot be checked, and is not stale: `runbook unlock --force` releases it.
  public func isStale(seenFrom observer: LockHolder) -> Bool {
    guard host == observer.host else { return false }
    if bootID.isEmpty { return ProcessIdentity.startTime(of: pid) == nil }
    if bootID != observer.bootID { return true }
    guard pidNamespace == observer.pidNamespace else { return false }
    guard let started = ProcessIdentity.startTime(of: pid) else { return true }
    return started != startTime
  }

  /// `run R (pid P on H since T)`, as messages name a holder.
  public var description: String {
    "run \(runID) (pid \(pid) on \(host) since \(RunEvent.timestamp(since)))"
  }
}

/// What the kernel says identifies a process beyond its pid.
public enum ProcessIdentity {
  public static var bootID: String {
    ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The pid namespace of `/proc/WHICH` (a pid or `self`).
  public static func pidNamespace(of which: String) -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(which)/ns/pid")) ?? ""
  }

  /// When process `pid` (in this namespace) started, or nil when no such process runs.
  public static func startTime(of pid: Int32) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // Fields after the command: state is field 3, start time field 22. A zombie has ended.
    guard fields.count > 19, fields[0] != "Z" else { return nil }
    return UInt64(fields[19])
  }
}

/// What asking for a lock gave.
public enum LockOutcome: Sendable, Equatable {
  case acquired
  /// The previous holder's process was gone; the lock was taken over from it.
  case tookOver(from: LockHolder)
  case heldBy(LockHolder)
}
