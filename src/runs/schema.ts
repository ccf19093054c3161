// The tracking database's schema as an ordered list of versioned migrations (append, never edit).

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
