import Foundation
import GRDB
import RunbookKit

/// The durable journal: one SQLite database in WAL mode with `synchronous = FULL`; each method is
/// one transaction, committed before it returns.
public final class SQLiteStateStore: StateStore, @unchecked Sendable {
  private let queue: DatabaseQueue
  public let path: String

  /// Opens (creating with mode 0600) and migrates the database at `path`.
  public init(path: String) throws {
    self.path = path
    // Created 0600 without following a symlink planted in its place.
    let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else {
      throw StateStoreError(.storage, "cannot open the journal \(path): \(String(cString: strerror(errno)))")
    }
    close(descriptor)
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    configuration.prepareDatabase { db in
      // Set here rather than with `journalMode = .wal`, which also lowers synchronous to NORMAL:
      // a committed transition must survive a power cut, not only a crash.
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    do {
      queue = try Self.openAndMigrate(path, configuration)
    } catch {
      throw StateStoreError(.storage, "cannot open the journal \(path)", cause: error)
    }
  }

  /// Opens and migrates, retrying while another process creates the same new journal: the
  /// switch to WAL answers "database is locked" without waiting, and the migrator checks what is
  /// applied outside the transaction that applies it, so the second opener fails with "table
  /// runs already exists" and, once the first has committed, finds nothing left to do.
  private static func openAndMigrate(_ path: String, _ configuration: Configuration) throws -> DatabaseQueue {
    var attempt = 0
    while true {
      attempt += 1
      do {
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try JournalMigrations.migrator.migrate(queue)
        return queue
      } catch let error as DatabaseError where attempt < 10 && [.SQLITE_BUSY, .SQLITE_ERROR].contains(error.resultCode) {
        usleep(useconds_t(10_000 * attempt))
      }
    }
  }

  /// `PRAGMA integrity_check`: "ok" when the database is sound.
  public func integrityCheck() throws -> String {
    try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
  }

  /// The journal mode and synchronous level in force: "wal" and 2 (FULL) as opened.
  public func durability() throws -> (journalMode: String, synchronous: Int) {
    try queue.read { db in
      (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "", try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
    }
  }

  private func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.write(body)
    } catch let error as StateStoreError {
      throw error
    } catch {
      throw StateStoreError(.storage, "cannot write the journal \(path)", cause: error)
    }
  }

  private func read<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.read(body)
    } catch {
      throw StateStoreError(.storage, "cannot read the journal \(path)", cause: error)
    }
  }

  // MARK: Runs

  public func beginRun(_ run: RunRecord) throws {
    try write { db in
      if try Int.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [run.id]) != nil {
        throw StateStoreError(.duplicateRun, "a run with id '\(run.id)' already exists")
      }
      try db.execute(
        sql: """
          INSERT INTO runs (id, runbook_name, file, source, sha256, params, from_plan_file, lock_name, status,
                            started_at, finished_at, pid, host, working_directory, secrets_given, approvers, inventory)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          run.id, run.runbookName, run.file, run.source, run.sha256,
          JSONValue.object(run.params.keys.sorted().map { .init($0, run.params[$0]!) }).serialized(pretty: false),
          run.fromPlanFile, run.lockName, run.status.rawValue, Self.milliseconds(run.startedAt),
          run.finishedAt.map(Self.milliseconds), run.pid, run.host, run.workingDirectory,
          JSONValue.array(run.secretsGiven.map { .string($0) }).serialized(pretty: false),
          JSONValue.array(run.approvers.map(\.json)).serialized(pretty: false),
          run.inventory?.json.serialized(pretty: false),
        ])
      try Self.insertEvent(db, JournalEvent(runID: run.id, at: run.startedAt, kind: "run.started"))
    }
  }

  public func run(_ id: String) throws -> RunRecord? {
    try read { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.runRecord) }
  }

  public func runs() throws -> [RunRecord] {
    try read { db in try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY rowid DESC").map(Self.runRecord) }
  }

  public func updateRun(_ id: String, status: RunStatus, pid: Int32, host: String, at: Date) throws {
    try write { db in
      try db.execute(
        sql: "UPDATE runs SET status = ?, pid = ?, host = ?, finished_at = ? WHERE id = ?",
        arguments: [status.rawValue, pid, host, status == .running ? nil : Self.milliseconds(at), id])
      guard db.changesCount == 1 else { throw StateStoreError(.unknownRun, "no run with id '\(id)'") }
      try Self.insertEvent(db, JournalEvent(runID: id, at: at, kind: "run.\(status.rawValue)"))
    }
  }

  // MARK: Steps

  public func saveStep(_ record: StepRecord, event: String, at: Date) throws {
    try write { db in
      guard try Int.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [record.runID]) != nil else {
        throw StateStoreError(.unknownRun, "no run with id '\(record.runID)'")
      }
      try db.execute(
        sql: """
          INSERT INTO steps (run_id, step, host, iteration, item, status, attempts, started_at, finished_at, outputs, message,
                             output_tail, approved, process_group, process_boot_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (run_id, step, host, iteration) DO UPDATE SET
            item = excluded.item, status = excluded.status, attempts = excluded.attempts,
            started_at = excluded.started_at, finished_at = excluded.finished_at, outputs = excluded.outputs,
            message = excluded.message, output_tail = excluded.output_tail, approved = excluded.approved,
            process_group = excluded.process_group, process_boot_id = excluded.process_boot_id
          """,
        arguments: [
          record.runID, record.step, record.host ?? "", record.iteration ?? -1, record.item?.serialized(pretty: false),
          record.status.rawValue, record.attempts, record.startedAt.map(Self.milliseconds),
          record.finishedAt.map(Self.milliseconds),
          JSONValue.object(record.outputs.keys.sorted().map { .init($0, record.outputs[$0]!) }).serialized(pretty: false),
          record.message, record.outputTail, record.approved, record.processGroup, record.processBootID,
        ])
      try Self.insertEvent(
        db, JournalEvent(runID: record.runID, at: at, kind: event, step: record.step, iteration: record.iteration, host: record.host, message: record.message))
    }
  }

  public func steps(ofRun id: String) throws -> [StepRecord] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY rowid", arguments: [id]).map { row in
        let iteration: Int = row["iteration"]
        let host: String = row["host"]
        return StepRecord(
          runID: row["run_id"], step: row["step"], host: host.isEmpty ? nil : host, iteration: iteration < 0 ? nil : iteration,
          item: (row["item"] as String?).flatMap(JSONValue.parse),
          status: StepStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
          startedAt: (row["started_at"] as Int64?).map(Self.date), finishedAt: (row["finished_at"] as Int64?).map(Self.date),
          outputs: Self.object(row["outputs"]), message: row["message"], outputTail: row["output_tail"],
          approved: row["approved"], processGroup: row["process_group"], processBootID: row["process_boot_id"])
      }
    }
  }

  // MARK: Journal

  public func journal(_ event: JournalEvent) throws {
    try write { db in try Self.insertEvent(db, event) }
  }

  public func events(ofRun id: String) throws -> [JournalEvent] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM events WHERE run_id = ? ORDER BY seq", arguments: [id]).map { row in
        JournalEvent(
          sequence: row["seq"], runID: row["run_id"], at: Self.date(row["at"]), kind: row["kind"], step: row["step"],
          iteration: row["iteration"], host: row["host"], message: row["message"])
      }
    }
  }

  private static func insertEvent(_ db: Database, _ event: JournalEvent) throws {
    try db.execute(
      sql: "INSERT INTO events (run_id, at, kind, step, iteration, host, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
      arguments: [event.runID, milliseconds(event.at), event.kind, event.step, event.iteration, event.host, event.message])
  }

  // MARK: Locks

  public func acquireLock(_ holder: LockHolder, isStale: (LockHolder) -> Bool) throws -> LockOutcome {
    try write { db in
      if let row = try Row.fetchOne(db, sql: "SELECT * FROM locks WHERE name = ?", arguments: [holder.name]) {
        let current = Self.lockHolder(row)
        if !current.isSameHolder(as: holder) {
          guard isStale(current) else { return .heldBy(current) }
          try Self.storeLock(db, holder)
          return .tookOver(from: current)
        }
      }
      try Self.storeLock(db, holder)
      return .acquired
    }
  }

  public func releaseLock(_ name: String, runID: String) throws {
    try write { db in try db.execute(sql: "DELETE FROM locks WHERE name = ? AND run_id = ?", arguments: [name, runID]) }
  }

  public func locks() throws -> [LockHolder] {
    try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM locks ORDER BY name").map(Self.lockHolder) }
  }

  public func forceReleaseLock(_ name: String, event: (LockHolder) -> JournalEvent) throws -> LockHolder? {
    try write { db in
      guard let row = try Row.fetchOne(db, sql: "SELECT * FROM locks WHERE name = ?", arguments: [name]) else { return nil }
      let holder = Self.lockHolder(row)
      try db.execute(sql: "DELETE FROM locks WHERE name = ?", arguments: [name])
      // A run killed between taking its lock and recording itself has no row to journal on.
      if try Int.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [holder.runID]) != nil {
        try Self.insertEvent(db, event(holder))
      }
      return holder
    }
  }

  private static func storeLock(_ db: Database, _ holder: LockHolder) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO locks (name, run_id, pid, host, since, boot_id, pid_namespace, start_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      arguments: [
        holder.name, holder.runID, holder.pid, holder.host, milliseconds(holder.since), holder.bootID, holder.pidNamespace,
        Int64(bitPattern: holder.startTime),
      ])
  }

  private static func lockHolder(_ row: Row) -> LockHolder {
    LockHolder(
      name: row["name"], runID: row["run_id"], pid: row["pid"], host: row["host"], since: date(row["since"]),
      bootID: row["boot_id"], pidNamespace: row["pid_namespace"], startTime: UInt64(bitPattern: row["start_time"] as Int64))
  }

  // MARK: Conversions

  private static func runRecord(_ row: Row) -> RunRecord {
    RunRecord(
      id: row["id"], runbookName: row["runbook_name"], file: row["file"], source: row["source"], sha256: row["sha256"],
      params: object(row["params"]), fromPlanFile: row["from_plan_file"], lockName: row["lock_name"],
      status: RunStatus(rawValue: row["status"]) ?? .failed, startedAt: date(row["started_at"]),
      finishedAt: (row["finished_at"] as Int64?).map(date), pid: row["pid"], host: row["host"],
      workingDirectory: row["working_directory"], secretsGiven: strings(row["secrets_given"]),
      approvers: approvers(row["approvers"]),
      inventory: (row["inventory"] as String?).flatMap(JSONValue.parse).flatMap { try? Inventory(ansibleJSON: $0) })
  }

  private static func approvers(_ text: String) -> [PlanApprover] {
    guard case .array(let items)? = JSONValue.parse(text) else { return [] }
    return items.compactMap(PlanApprover.init(json:))
  }

  private static func strings(_ text: String) -> [String] {
    guard case .array(let items)? = JSONValue.parse(text) else { return [] }
    return items.compactMap(\.stringValue)
  }

  private static func object(_ text: String) -> [String: JSONValue] {
    guard case .object(let members)? = JSONValue.parse(text) else { return [:] }
    return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
  }

  static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
  static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
