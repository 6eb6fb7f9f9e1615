import GRDB

/// The journal's schema, as ordered named migrations; a database is brought up to date on open.
/// Records keep their first-saved order in SQLite's rowid, which an upsert does not change.
enum JournalMigrations {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("001-runs-steps-events-locks") { db in
      try db.execute(sql: """
        CREATE TABLE runs (
          id TEXT PRIMARY KEY NOT NULL,
          runbook_name TEXT NOT NULL,
          file TEXT NOT NULL,
          source TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          params TEXT NOT NULL,
          from_plan_file INTEGER NOT NULL,
          lock_name TEXT NOT NULL,
          status TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          pid INTEGER NOT NULL,
          host TEXT NOT NULL
        );
        CREATE TABLE steps (
          run_id TEXT NOT NULL REFERENCES runs(id),
          step TEXT NOT NULL,
          iteration INTEGER NOT NULL,
          item TEXT,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER,
          outputs TEXT NOT NULL,
          message TEXT,
          output_tail TEXT NOT NULL,
          approved INTEGER NOT NULL,
          process_group INTEGER,
          PRIMARY KEY (run_id, step, iteration)
        );
        CREATE TABLE events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id TEXT NOT NULL,
          at INTEGER NOT NULL,
          kind TEXT NOT NULL,
          step TEXT,
          iteration INTEGER,
          message TEXT
        );
        CREATE INDEX events_by_run ON events(run_id, seq);
        CREATE TABLE locks (
          name TEXT PRIMARY KEY NOT NULL,
          run_id TEXT NOT NULL,
          pid INTEGER NOT NULL,
          host TEXT NOT NULL,
          since INTEGER NOT NULL
        );
        """)
    }
    migrator.registerMigration("002-run-working-directory") { db in
      try db.execute(sql: "ALTER TABLE runs ADD COLUMN working_directory TEXT NOT NULL DEFAULT ''")
    }
    migrator.registerMigration("003-lock-holder-identity") { db in
      try db.execute(sql: """
        ALTER TABLE locks ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE locks ADD COLUMN pid_namespace TEXT NOT NULL DEFAULT '';
        ALTER TABLE locks ADD COLUMN start_time INTEGER NOT NULL DEFAULT 0;
        """)
    }
    migrator.registerMigration("004-run-secrets-given") { db in
      try db.execute(sql: "ALTER TABLE runs ADD COLUMN secrets_given TEXT NOT NULL DEFAULT '[]'")
    }
    migrator.registerMigration("005-run-approvers") { db in
      try db.execute(sql: "ALTER TABLE runs ADD COLUMN approvers TEXT NOT NULL DEFAULT '[]'")
    }
    // A step on inventory hosts has a record per host: the host joins the key (SQLite cannot
    // change a primary key in place, so the table is rebuilt, rows in their first-saved order).
    migrator.registerMigration("006-step-hosts") { db in
      try db.execute(sql: """
        CREATE TABLE steps_by_host (
          run_id TEXT NOT NULL REFERENCES runs(id),
          step TEXT NOT NULL,
          host TEXT NOT NULL,
          iteration INTEGER NOT NULL,
          item TEXT,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER,
          outputs TEXT NOT NULL,
          message TEXT,
          output_tail TEXT NOT NULL,
          approved INTEGER NOT NULL,
          process_group INTEGER,
          process_boot_id TEXT,
          PRIMARY KEY (run_id, step, host, iteration)
        );
        INSERT INTO steps_by_host (run_id, step, host, iteration, item, status, attempts, started_at, finished_at, outputs,
                                   message, output_tail, approved, process_group)
          SELECT run_id, step, '', iteration, item, status, attempts, started_at, finished_at, outputs,
                 message, output_tail, approved, process_group FROM steps ORDER BY rowid;
        DROP TABLE steps;
        ALTER TABLE steps_by_host RENAME TO steps;
        ALTER TABLE events ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN inventory TEXT;
        """)
    }
    return migrator
  }
}
