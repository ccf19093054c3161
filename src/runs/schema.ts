// The tracking database's schema as an ordered list of versioned migrations (append, never edit), and migrate().

import type Database from 'better-sqlite3';

/** One schema step: applied once, in order, inside a transaction, and recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration so far. A release that changes the schema appends one; a database that has a
 * version this list lacks was written by a newer moxing and is refused rather than guessed at.
 *
 * Times are integer milliseconds since the epoch. `metrics` is a plain rowid table so `id` works as
 * a monotonic cursor for live readers (re-logging a (run, step, name) replaces the row, giving it a
 * new id, so a poller sees the update); `metrics_run` indexes (run_id, rowid) for that cursor and
 * the unique key indexes (run_id, step) for "after step N".
 *
 * @example
 * const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, metrics, artifacts, models',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        name          TEXT,
        config        TEXT NOT NULL DEFAULT '{}',
        status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
        parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
        init_from     TEXT,
        run_dir       TEXT,
        pid           INTEGER,
        pid_start     TEXT,
        host          TEXT,
        started_at    INTEGER NOT NULL,
        ended_at      INTEGER,
        heartbeat_at  INTEGER,
        last_step     INTEGER,
        summary       TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX runs_started ON runs(started_at);
      CREATE INDEX runs_kind_started ON runs(kind, started_at);
      CREATE INDEX runs_parent ON runs(parent_run_id);

      CREATE TABLE metrics (
        id     INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        name   TEXT NOT NULL,
        value  REAL,
        time   INTEGER NOT NULL,
        UNIQUE (run_id, step, name)
      );
      CREATE INDEX metrics_run ON metrics(run_id);

      CREATE TABLE artifacts (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        path       TEXT NOT NULL,
        kind       TEXT,
        size       INTEGER NOT NULL,
        sha256     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, path)
      );

      CREATE TABLE models (
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('classical', 'gpt')),
        path        TEXT NOT NULL,
        metrics     TEXT NOT NULL DEFAULT '{}',
        run_id      TEXT REFERENCES runs(id) ON DELETE SET NULL,
        description TEXT,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE INDEX models_run ON models(run_id);
    `,
  },
];

/** The newest schema version a list of migrations reaches, after checking it is 1, 2, 3, ... */
function latestVersion(migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  return migrations.length;
}

/**
 * Brings the schema up to date and returns its version; concurrent openers serialise on the IMMEDIATE
 * transaction, and an up-to-date database is only read. Throws for a database newer than `migrations`.
 *
 * @example
 * migrate(new Database('moxing.db'), MIGRATIONS); // 1
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const latest = latestVersion(migrations);
  const current = (): number => {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (has === undefined) return 0;
    return (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  };
  const check = (v: number): void => {
    if (v > latest) {
      throw new Error(`${db.name} has schema version ${v}, newer than this moxing knows (${latest}): upgrade moxing`);
    }
  };
  const seen = current(); // a plain read first: an up-to-date database takes no write lock
  check(seen);
  if (seen === latest) return latest;
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const from = current(); // another process may have migrated while we waited for the lock
    check(from);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations.slice(from)) {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
  }).immediate();
  return latest;
}
