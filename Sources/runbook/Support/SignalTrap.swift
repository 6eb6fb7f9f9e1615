import Dispatch
import Foundation
import RunbookKit

/// Turns SIGINT and SIGTERM into `Interruption` calls for the length of a run, instead of
/// killing the engine mid-transition.
final class SignalTrap: @unchecked Sendable {
  private var sources: [DispatchSourceSignal] = []

  init(_ interruption: Interruption, onSignal: @escaping @Sendable (Int32, Bool) -> Void) {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler {
        let first = !interruption.isInterrupted
        interruption.interrupt(with: signalNumber)
        onSignal(signalNumber, first)
      }
      source.resume()
      sources.append(source)
    }
  }

  deinit {
    for source in sources { source.cancel() }
  }
}
