import Foundation

/// Whether the engine that holds a lock, or runs a run, is alive, by the rule of docs/running.md,
/// "Locks": gone only when certainly gone; a process on another host or in another pid namespace
/// cannot be checked.
public enum EngineStanding: String, Sendable {
  case running
  case gone
  case unknown = "cannot check"
}

extension LockHolder {
  /// This holder's standing, seen from `observer` (this process).
  public func standing(seenFrom observer: LockHolder) -> EngineStanding {
    if isStale(seenFrom: observer) { return .gone }
    return host == observer.host && pidNamespace == observer.pidNamespace ? .running : .unknown
  }
}

extension RunRecord {
  /// For a run journaled `running`, whether its engine still runs (a killed engine keeps the
  /// journal saying `running`): the holder of its lock tells; without one (`unlock --force`), a
  /// process at its pid on this host may still be it. Nil for a run in any other status.
  public func engineStanding(locks: [LockHolder], seenFrom observer: LockHolder) -> EngineStanding? {
    guard status == .running else { return nil }
    if let holder = locks.first(where: { $0.runID == id && $0.name == lockName }) { return holder.standing(seenFrom: observer) }
    // The lock was released by force, or taken over: only the journaled pid is left to judge by.
    guard host == observer.host else { return .unknown }
    return kill(pid, 0) == 0 || errno == EPERM ? .unknown : .gone
  }
}
