import Foundation

/// The operator's SIGINT/SIGTERM as the engine sees it: once interrupted nothing new starts,
/// and running child process groups get the signal (a second one kills them).
public final class Interruption: @unchecked Sendable {
  private let lock = NSLock()
  private var signals = 0
  private var groups: Set<pid_t> = []

  public init() {}

  public var isInterrupted: Bool { lock.withLock { signals > 0 } }

  /// Records a signal from the operator and forwards it: the first as it came, later ones as SIGKILL.
  public func interrupt(with signal: Int32) {
    let (targets, count) = lock.withLock { () -> ([pid_t], Int) in
      signals += 1
      return (Array(groups), signals)
    }
    for group in targets { kill(-group, count == 1 ? signal : SIGKILL) }
  }

  /// Registers a child's process group while it runs, so signals reach it.
  public func register(processGroup: pid_t) {
    let alreadyInterrupted = lock.withLock { () -> Bool in
      groups.insert(processGroup)
      return signals > 0
    }
    if alreadyInterrupted { kill(-processGroup, SIGTERM) }
  }

  public func unregister(processGroup: pid_t) {
    _ = lock.withLock { groups.remove(processGroup) }
  }
}
