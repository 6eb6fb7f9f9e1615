import Foundation

/// Who holds a lock: the run, its process and host, and since when.
public struct LockHolder: Sendable, Equatable {
  public var name: String
  public var runID: String
  public var pid: Int32
  public var host: String
  public var since: Date

  public init(name: String, runID: String, pid: Int32, host: String, since: Date) {
    self.name = name
    self.runID = runID
    self.pid = pid
    self.host = host
    self.since = since
  }
}

extension LockHolder {
  /// The same run in the same process: asking again is not contention.
  public func isSameHolder(as other: LockHolder) -> Bool {
    runID == other.runID && pid == other.pid && host == other.host
  }
}

/// What asking for a lock gave.
public enum LockOutcome: Sendable, Equatable {
  case acquired
  /// The previous holder's process was gone; the lock was taken over from it.
  case tookOver(from: LockHolder)
  case heldBy(LockHolder)
}
