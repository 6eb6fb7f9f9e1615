import Foundation

/// The operator's SIGINT/SIGTERM as the engine sees it: once interrupted nothing new starts,
/// and running child process groups get the signal (a second one kills them).
public final class Interruption: @unchecked Sendable {
  private let lock = NSLock()
  private var signals = 0
  private var groups: Set<pid_t> = []
  /// Where signals go besides local process groups: a command on an inventory host.
  private var forwarders: [Int: @Sendable (Int32) -> Void] = [:]
  private var nextForwarder = 0

  public init() {}

  public var isInterrupted: Bool { lock.withLock { signals > 0 } }

  /// Records a signal from the operator and forwards it: the first as it came, later ones as SIGKILL.
  public func interrupt(with signal: Int32) {
    let (targets, remote, count) = lock.withLock { () -> ([pid_t], [@Sendable (Int32) -> Void], Int) in
      signals += 1
      return (Array(groups), Array(forwarders.values), signals)
    }
    for group in targets { kill(-group, count == 1 ? signal : SIGKILL) }
    for forward in remote { forward(count == 1 ? signal : SIGKILL) }
  }

  /// Registers where to send the operator's signals while a command runs elsewhere (on an
  /// inventory host); the token unregisters it.
  public func register(forwarder: @escaping @Sendable (Int32) -> Void) -> Int {
    let (token, alreadyInterrupted) = lock.withLock { () -> (Int, Bool) in
      nextForwarder += 1
      forwarders[nextForwarder] = forwarder
      return (nextForwarder, signals > 0)
    }
    if alreadyInterrupted { forwarder(SIGTERM) }
    return token
  }

  public func unregister(forwarder token: Int) {
    _ = lock.withLock { forwarders.removeValue(forKey: token) }
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
