import Foundation

/// The journal a run is recorded in. Every method commits before it returns, so the engine
/// acts only on transitions that survive a crash.
///
/// The contract every implementation must meet is the `StateStoreContract` test suite;
/// `InMemoryStateStore` and the SQLite store in `RunbookStore` both run it.
public protocol StateStore: Sendable {
  /// Records a new run; a run id already used is `StateStoreError.duplicateRun`.
  func beginRun(_ run: RunRecord) throws
  func run(_ id: String) throws -> RunRecord?
  /// Every run, newest first.
  func runs() throws -> [RunRecord]
  /// Sets a run's status, and which process now drives it; journals the change.
  func updateRun(_ id: String, status: RunStatus, pid: Int32, host: String, at: Date) throws
  /// Stores a step's (or an iteration's) state and journals `event` with it, in one transaction.
  func saveStep(_ record: StepRecord, event: String, at: Date) throws
  /// Every step and iteration record of a run, in the order they were first saved.
  func steps(ofRun id: String) throws -> [StepRecord]
  /// Appends a journal line that changes no state (a lock takeover, a note).
  func journal(_ event: JournalEvent) throws
  func events(ofRun id: String) throws -> [JournalEvent]
  /// Takes the lock for `holder`; a holder for which `isStale` says true is taken over.
  func acquireLock(_ holder: LockHolder, isStale: (LockHolder) -> Bool) throws -> LockOutcome
  /// Releases the lock if `runID` holds it.
  func releaseLock(_ name: String, runID: String) throws
  /// Every lock held, by name.
  func locks() throws -> [LockHolder]
  /// Releases `name` whoever holds it, journaling `event` on the holder's run in the same
  /// transaction; gives the holder it displaced, nil when nobody held it.
  func forceReleaseLock(_ name: String, event: (LockHolder) -> JournalEvent) throws -> LockHolder?
}

/// Failures of a state store, with a stable code.
public struct StateStoreError: Error, Sendable, CustomStringConvertible {
  public struct Code: Hashable, Sendable {
    public var rawValue: String
    public static let duplicateRun = Code(rawValue: "duplicate-run")
    public static let unknownRun = Code(rawValue: "unknown-run")
    public static let storage = Code(rawValue: "storage")
  }

  public var code: Code
  public var message: String
  public var cause: (any Error)?

  public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  public var description: String {
    cause.map { "\(message): \($0)" } ?? message
  }
}
