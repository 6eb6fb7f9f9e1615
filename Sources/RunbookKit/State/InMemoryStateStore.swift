import Foundation

/// A `StateStore` held in memory, for tests and for `plan --probe`: the same contract as the
/// SQLite journal, without durability.
public final class InMemoryStateStore: StateStore, @unchecked Sendable {
  private let lock = NSLock()
  private var runRecords: [String: RunRecord] = [:]
  private var runOrder: [String] = []
  private var stepRecords: [String: [StepRecord]] = [:]
  private var eventLog: [JournalEvent] = []
  private var held: [String: LockHolder] = [:]

  public init() {}

  private func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  public func beginRun(_ run: RunRecord) throws {
    try locked {
      guard runRecords[run.id] == nil else { throw StateStoreError(.duplicateRun, "a run with id '\(run.id)' already exists") }
      runRecords[run.id] = run
      runOrder.append(run.id)
      append(JournalEvent(runID: run.id, at: run.startedAt, kind: "run.started"))
    }
  }

  public func run(_ id: String) throws -> RunRecord? { locked { runRecords[id] } }

  public func runs() throws -> [RunRecord] {
    locked { runOrder.reversed().compactMap { runRecords[$0] } }
  }

  public func updateRun(_ id: String, status: RunStatus, pid: Int32, host: String, at: Date) throws {
    try locked {
      guard var run = runRecords[id] else { throw StateStoreError(.unknownRun, "no run with id '\(id)'") }
      run.status = status
      run.pid = pid
      run.host = host
      run.finishedAt = status == .running ? nil : at
      runRecords[id] = run
      append(JournalEvent(runID: id, at: at, kind: "run.\(status.rawValue)"))
    }
  }

  public func saveStep(_ record: StepRecord, event: String, at: Date) throws {
    try locked {
      guard runRecords[record.runID] != nil else { throw StateStoreError(.unknownRun, "no run with id '\(record.runID)'") }
      var records = stepRecords[record.runID, default: []]
      if let index = records.firstIndex(where: { $0.key == record.key }) {
        records[index] = record
      } else {
        records.append(record)
      }
      stepRecords[record.runID] = records
      append(JournalEvent(runID: record.runID, at: at, kind: event, step: record.step, iteration: record.iteration, host: record.host, message: record.message))
    }
  }

  public func steps(ofRun id: String) throws -> [StepRecord] { locked { stepRecords[id] ?? [] } }

  public func journal(_ event: JournalEvent) throws { locked { append(event) } }

  public func events(ofRun id: String) throws -> [JournalEvent] { locked { eventLog.filter { $0.runID == id } } }

  public func acquireLock(_ holder: LockHolder, isStale: (LockHolder) -> Bool) throws -> LockOutcome {
    locked {
      if let current = held[holder.name], !current.isSameHolder(as: holder) {
        guard isStale(current) else { return .heldBy(current) }
        held[holder.name] = holder
        return .tookOver(from: current)
      }
      held[holder.name] = holder
      return .acquired
    }
  }

  public func releaseLock(_ name: String, runID: String) throws {
    locked {
      if held[name]?.runID == runID { held[name] = nil }
    }
  }

  public func locks() throws -> [LockHolder] { locked { held.keys.sorted().map { held[$0]! } } }

  public func forceReleaseLock(_ name: String, event: (LockHolder) -> JournalEvent) throws -> LockHolder? {
    locked {
      guard let holder = held.removeValue(forKey: name) else { return nil }
      append(event(holder))
      return holder
    }
  }

  private func append(_ event: JournalEvent) {
    var event = event
    event.sequence = Int64(eventLog.count + 1)
    eventLog.append(event)
  }
}
