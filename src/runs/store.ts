// The tracking store: runs, metrics, artifacts and the model registry in one SQLite database (WAL).
//
// One database per MOXING_HOME ($MOXING_HOME/moxing.db). WAL lets a server read while a training
// process writes; busy_timeout makes a second writer wait instead of failing; every multi-row write
// is one IMMEDIATE transaction (a deferred one that upgrades to a write can fail at once under WAL).

import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { makeFolder } from '../io/atomic-write.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS, migrate, type Migration } from './schema.js';
import { currentProcess } from './liveness.js';
import { hashPath } from './hash.js';
import { NAME_RE, checkValues, encodeNumbers, toArtifact, toModel, toRun, validateMetricEntry, type Row } from './rows.js';
import type {
  Artifact, CreateRunInput, MetricEntry, MetricPoint, MetricsQuery, RegisterModelInput, RegisteredModel, Run, RunKind, RunStatus,
} from './types.js';

export type * from './types.js';
export { validateMetricEntry } from './rows.js';

/** How to open the store. */
export interface OpenOptions {
  /** How long a write waits for another writer before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The schema steps to apply (tests pass a prefix or an extension of MIGRATIONS). */
  migrations?: readonly Migration[];
}

/**
 * Where moxing keeps its state: $MOXING_HOME, else ~/.moxing.
 *
 * @example
 * moxingHome({ MOXING_HOME: '/data/mx' }); // '/data/mx'
 */
export function moxingHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.MOXING_HOME;
  return home !== undefined && home !== '' ? resolve(home) : join(homedir(), '.moxing');
}

/**
 * The tracking database inside a moxing home.
 *
 * @example
 * databasePath('/data/mx'); // '/data/mx/moxing.db'
 */
export function databasePath(home: string = moxingHome()): string {
  return join(home, 'moxing.db');
}

/**
 * The tracking database: runs with their metrics and artifacts, and the model registry. Safe to use
 * from several processes at once (one store per process); all calls are synchronous.
 *
 * @example
 * const store = RunStore.open(); // $MOXING_HOME/moxing.db
 * const run = store.createRun({ kind: 'pretrain', config: { lr: 3e-4 } });
 * store.logMetrics(run.id, 10, { trainLoss: 3.2 });
 * store.finishRun(run.id, 'finished');
 * store.metrics(run.id, { afterStep: 0 }); // [{ id: 1, step: 10, name: 'trainLoss', value: 3.2, time: ... }]
 * store.close();
 */
export class RunStore {
  readonly file: string;
  readonly schemaVersion: number;
  private readonly db: Database.Database;
  private readonly queries = new Map<string, Database.Statement>();
  private readonly st: {
    insertRun: Database.Statement;
    runById: Database.Statement;
    runsByPrefix: Database.Statement;
    touchRun: Database.Statement;
    heartbeat: Database.Statement;
    finishRun: Database.Statement;
    upsertMetric: Database.Statement;
    upsertArtifact: Database.Statement;
    artifacts: Database.Statement;
    metricNames: Database.Statement;
    insertModel: Database.Statement;
  };

  private constructor(file: string, options: OpenOptions) {
    this.file = file;
    this.db = new Database(file);
    try {
      // busy_timeout first: even switching to WAL needs a lock another opener may hold.
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable up to the last checkpoint, never corrupt
      this.db.pragma('foreign_keys = ON');
      this.schemaVersion = migrate(this.db, options.migrations ?? MIGRATIONS);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const p = (sql: string): Database.Statement => this.db.prepare(sql);
    this.st = {
      insertRun: p(`INSERT INTO runs (id, kind, name, config, status, parent_run_id, init_from, run_dir, pid, pid_start, host, started_at, heartbeat_at)
                    VALUES (@id, @kind, @name, @config, 'running', @parentRunId, @initFrom, @runDir, @pid, @pidStart, @host, @now, @now)`),
      runById: p('SELECT * FROM runs WHERE id = ?'),
      runsByPrefix: p('SELECT * FROM runs WHERE substr(id, 1, length(@prefix)) = @prefix ORDER BY id LIMIT 5'),
      touchRun: p(`UPDATE runs SET summary = json_patch(summary, @summary), heartbeat_at = @now,
                     last_step = CASE WHEN last_step IS NULL OR last_step < @step THEN @step ELSE last_step END
                   WHERE id = @id`),
      heartbeat: p('UPDATE runs SET heartbeat_at = ? WHERE id = ?'),
      finishRun: p('UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?'),
      upsertMetric: p('INSERT OR REPLACE INTO metrics (run_id, step, name, value, time) VALUES (?, ?, ?, ?, ?)'),
      upsertArtifact: p(`INSERT OR REPLACE INTO artifacts (run_id, path, kind, size, sha256, created_at)
                         VALUES (@runId, @path, @kind, @size, @sha256, @now) RETURNING *`),
      artifacts: p('SELECT * FROM artifacts WHERE run_id = ? ORDER BY created_at, id'),
      metricNames: p(`SELECT name, COUNT(*) AS count, MIN(step) AS firstStep, MAX(step) AS lastStep
                      FROM metrics WHERE run_id = ? GROUP BY name ORDER BY name`),
      // One statement picks the next version and inserts it, so two registrations cannot collide.
      insertModel: p(`INSERT INTO models (name, version, kind, path, metrics, run_id, description, created_at)
                      SELECT @name, COALESCE(MAX(version), 0) + 1, @kind, @path, @metrics, @runId, @description, @now
                      FROM models WHERE name = @name RETURNING *`),
    };
  }

  /**
   * Opens (creating and migrating if needed) the database of a moxing home.
   *
   * @example
   * const store = RunStore.open('/tmp/mx', { busyTimeoutMs: 1000 });
   */
  static open(home: string = moxingHome(), options: OpenOptions = {}): RunStore {
    makeFolder(home); // names a file in the way (MOXING_HOME pointing at a file)
    return new RunStore(databasePath(home), options);
  }

  /**
   * Closes the database; the store cannot be used afterwards.
   *
   * @example
   * store.close();
   */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Starts a run (status 'running') and returns it.
   *
   * @example
   * const run = store.createRun({ kind: 'finetune', config: { lr: 1e-5 }, initFrom: 'runs/base' });
   */
  createRun(input: CreateRunInput): Run {
    if (typeof input.kind !== 'string' || !NAME_RE.test(input.kind)) throw new TypeError(`bad run kind "${String(input.kind)}"`);
    if (input.parentRunId !== undefined && this.st.runById.get(input.parentRunId) === undefined) {
      throw new Error(`parent run ${input.parentRunId} does not exist`);
    }
    const who = input.process === undefined ? currentProcess() : input.process;
    const config = JSON.stringify(input.config ?? {});
    for (;;) {
      const id = randomBytes(4).toString('hex');
      try {
        this.st.insertRun.run({
          id,
          kind: input.kind,
          name: input.name ?? null,
          config,
          parentRunId: input.parentRunId ?? null,
          initFrom: input.initFrom ?? null,
          runDir: input.runDir === undefined ? null : resolve(input.runDir),
          pid: who?.pid ?? null,
          pidStart: who?.start ?? null,
          host: who?.host ?? null,
          now: Date.now(),
        });
        return this.mustGet(id);
      } catch (err) {
        // 2^32 ids: a clash is rare, and then another draw fixes it.
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
      }
    }
  }

  /**
   * Records one step's metrics (one transaction; re-logging a (step, name) replaces the value).
   *
   * @example
   * store.logMetrics(run.id, 100, { trainLoss: 2.91, valLoss: 3.02, lr: 3e-4 });
   */
  logMetrics(runId: string, step: number, values: Readonly<Record<string, number>>, time?: number): void {
    this.logMetricsBatch(runId, [{ step, values, time }]);
  }

  /**
   * Records many steps in one transaction: the cheap way for a loop that buffers, or for imports.
   *
   * @example
   * store.logMetricsBatch(run.id, [{ step: 1, values: { loss: 3 } }, { step: 2, values: { loss: 2.5 } }]);
   */
  logMetricsBatch(runId: string, entries: readonly MetricEntry[]): void {
    for (const e of entries) validateMetricEntry(e);
    if (entries.length === 0) return;
    this.db.transaction(() => {
      const now = Date.now();
      for (const e of entries) {
        const time = e.time ?? now;
        const changed = this.st.touchRun.run({ id: runId, summary: encodeNumbers(e.values), step: e.step, now }).changes;
        if (changed === 0) throw new Error(`no run ${runId}`);
        // SQLite stores NaN as NULL; `metrics` turns NULL back into NaN.
        for (const [name, value] of Object.entries(e.values)) this.st.upsertMetric.run(runId, e.step, name, value, time);
      }
    }).immediate();
  }

  /**
   * Marks a run alive without logging anything (long evaluations, slow steps).
   *
   * @example
   * store.heartbeat(run.id);
   */
  heartbeat(runId: string): void {
    this.st.heartbeat.run(Date.now(), runId);
  }

  /**
   * Ends a run with its final status.
   *
   * @example
   * store.finishRun(run.id, 'failed');
   */
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>): void {
    if (!['finished', 'failed', 'interrupted'].includes(status)) throw new TypeError(`bad final status "${status}"`);
    const now = Date.now();
    if (this.st.finishRun.run(status, now, now, runId).changes === 0) throw new Error(`no run ${runId}`);
  }

  /**
   * Records a file or directory the run produced, with its size and SHA-256 (re-logging updates it).
   *
   * @example
   * store.logArtifact(run.id, 'runs/base/model.safetensors', { kind: 'checkpoint' });
   */
  logArtifact(runId: string, path: string, options: { kind?: string } = {}): Artifact {
    const abs = resolve(path);
    const { size, sha256 } = hashPath(abs);
    const row = this.st.upsertArtifact.get({ runId, path: abs, kind: options.kind ?? null, size, sha256, now: Date.now() }) as Row;
    return toArtifact(row);
  }

  /**
   * The artifacts of a run, oldest first.
   *
   * @example
   * store.artifacts(run.id).map((a) => a.path);
   */
  artifacts(runId: string): Artifact[] {
    return (this.st.artifacts.all(runId) as Row[]).map(toArtifact);
  }

  /**
   * Runs, newest first.
   *
   * @example
   * store.listRuns({ kind: 'pretrain', limit: 20 });
   * store.listRuns({ runDir: 'runs/base' }); // the runs that wrote to runs/base
   * store.listRuns({ parentRunId: base.id }); // the runs that continued from base
   */
  listRuns(options: { kind?: RunKind; runDir?: string; parentRunId?: string; limit?: number } = {}): Run[] {
    const where: string[] = [];
    if (options.kind !== undefined) where.push('kind = @kind');
    if (options.runDir !== undefined) where.push('run_dir = @runDir');
    if (options.parentRunId !== undefined) where.push('parent_run_id = @parentRunId');
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const stmt = this.query(`SELECT * FROM runs ${filter} ORDER BY started_at DESC, rowid DESC LIMIT @limit`);
    const runDir = options.runDir === undefined ? undefined : resolve(options.runDir);
    const params = { kind: options.kind, runDir, parentRunId: options.parentRunId, limit: options.limit ?? -1 };
    const rows = stmt.all(params) as Row[];
    return rows.map(toRun);
  }

  /**
   * One run by id or by an unambiguous id prefix; undefined if none matches.
   *
   * @example
   * store.getRun('3fa9'); // the run whose id starts with 3fa9
   */
  getRun(idOrPrefix: string): Run | undefined {
    const exact = this.st.runById.get(idOrPrefix) as Row | undefined;
    if (exact !== undefined) return toRun(exact);
    if (idOrPrefix === '') return undefined;
    const rows = this.st.runsByPrefix.all({ prefix: idOrPrefix }) as Row[];
    if (rows.length > 1) {
      throw new Error(`run id "${idOrPrefix}" is ambiguous: ${rows.map((r) => String(r.id)).join(', ')}${rows.length === 5 ? ', ...' : ''}`);
    }
    return rows.length === 1 ? toRun(rows[0]!) : undefined;
  }

  /**
   * A run's metric points ordered by step then name; `afterStep` / `afterId` make polling cheap.
   *
   * @example
   * let cursor = 0;
   * const fresh = store.metrics(run.id, { afterId: cursor });
   * cursor = Math.max(cursor, ...fresh.map((p) => p.id));
   */
  metrics(runId: string, query: MetricsQuery = {}): MetricPoint[] {
    const where = ['run_id = @runId'];
    const params: Record<string, unknown> = { runId };
    if (query.afterStep !== undefined) {
      where.push('step > @afterStep');
      params.afterStep = query.afterStep;
    }
    if (query.afterId !== undefined) {
      where.push('id > @afterId');
      params.afterId = query.afterId;
    }
    if (query.names !== undefined) {
      if (query.names.length === 0) return [];
      where.push(`name IN (${query.names.map((_, i) => `@n${i}`).join(', ')})`);
      query.names.forEach((n, i) => (params[`n${i}`] = n));
    }
    params.limit = query.limit ?? -1;
    const stmt = this.query(`SELECT id, step, name, value, time FROM metrics WHERE ${where.join(' AND ')} ORDER BY step, name LIMIT @limit`);
    return (stmt.all(params) as Row[]).map((r) => ({
      id: r.id as number,
      step: r.step as number,
      name: r.name as string,
      value: r.value === null ? NaN : (r.value as number),
      time: r.time as number,
    }));
  }

  /**
   * Which metrics a run has, with how many points and over which steps.
   *
   * @example
   * store.metricNames(run.id); // [{ name: 'trainLoss', count: 100, firstStep: 1, lastStep: 100 }]
   */
  metricNames(runId: string): { name: string; count: number; firstStep: number; lastStep: number }[] {
    return this.st.metricNames.all(runId) as { name: string; count: number; firstStep: number; lastStep: number }[];
  }

  /**
   * Adds a model to the registry as the next version of `name` (1, 2, ...); the path must exist.
   *
   * @example
   * store.registerModel({ name: 'moxing-base', kind: 'gpt', path: 'runs/base', metrics: { valLoss: 2.9 }, runId: run.id });
   */
  registerModel(input: RegisterModelInput): RegisteredModel {
    if (!NAME_RE.test(input.name)) {
      throw new TypeError(`bad model name "${input.name}": use letters, digits, '.', '_', '-' and '/'`);
    }
    if (input.kind !== 'classical' && input.kind !== 'gpt') throw new TypeError(`model kind must be 'classical' or 'gpt', got "${String(input.kind)}"`);
    const path = resolve(input.path);
    statSync(path); // throws ENOENT with the path for a typo
    const metrics = input.metrics ?? {};
    checkValues(metrics);
    const row = this.st.insertModel.get({
      name: input.name,
      kind: input.kind,
      path,
      metrics: encodeNumbers(metrics),
      runId: input.runId ?? null,
      description: input.description ?? null,
      now: Date.now(),
    }) as Row;
    return toModel(row);
  }

  /**
   * Registered models by name, newest version first; `latest` keeps one version per name.
   *
   * @example
   * store.listModels({ latest: true });
   * store.listModels({ runId: run.id }); // the models a run registered
   */
  listModels(options: { name?: string; runId?: string; latest?: boolean } = {}): RegisteredModel[] {
    const where: string[] = [];
    if (options.name !== undefined) where.push('name = @name');
    if (options.runId !== undefined) where.push('run_id = @runId');
    if (options.latest === true) where.push('version = (SELECT MAX(version) FROM models m2 WHERE m2.name = models.name)');
    const sql = `SELECT * FROM models ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name, version DESC`;
    return (this.query(sql).all({ name: options.name, runId: options.runId }) as Row[]).map(toModel);
  }

  /**
   * One registered model: a given version, or the latest.
   *
   * @example
   * store.getModel('moxing-base');    // the newest version
   * store.getModel('moxing-base', 1); // version 1
   */
  getModel(name: string, version?: number): RegisteredModel | undefined {
    const sql = version === undefined
      ? 'SELECT * FROM models WHERE name = @name ORDER BY version DESC LIMIT 1'
      : 'SELECT * FROM models WHERE name = @name AND version = @version';
    const row = this.query(sql).get({ name, version }) as Row | undefined;
    return row === undefined ? undefined : toModel(row);
  }

  private mustGet(id: string): Run {
    const row = this.st.runById.get(id) as Row | undefined;
    if (row === undefined) throw new Error(`no run ${id}`);
    return toRun(row);
  }

  /** Prepared statements for the queries built at run time, kept so polling does not re-prepare. */
  private query(sql: string): Database.Statement {
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    return stmt;
  }
}
