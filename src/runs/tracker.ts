// What training commands use to record themselves: start a run, log metrics, finish; never fatal.

import { resolve } from 'node:path';
import { RunStore, moxingHome, validateMetricEntry } from './store.js';
import type { MetricEntry, RegisterModelInput, RegisteredModel, RunKind, RunStatus } from './types.js';

/** A run being recorded. Every method is a no-op once tracking is off or the database failed. */
export interface Tracker {
  /** The run's id, or undefined when nothing is being recorded. */
  readonly runId: string | undefined;
  /** Records one step's metrics (buffered: written at most every `flushIntervalMs`, and on finish). */
  log(step: number, metrics: Readonly<Record<string, number>>): void;
  /** Records a file or directory the run produced (size and SHA-256). */
  artifact(path: string, kind?: string): void;
  /** Registers a model version made by this run; undefined when not recorded. */
  registerModel(input: Omit<RegisterModelInput, 'runId'>): RegisteredModel | undefined;
  /** Writes buffered metrics now. */
  flush(): void;
  /** Marks the run alive without logging (a long evaluation), so dashboards see it is not stuck. */
  heartbeat(): void;
  /** Ends the run ('finished' by default) and closes the database. */
  finish(status?: Exclude<RunStatus, 'running'>): void;
}

/** How `startTracking` records a run. */
export interface TrackingOptions {
  name?: string;
  /** Lineage: where the weights came from (a run dir, checkpoint or model). A tracked run dir becomes the parent. */
  initFrom?: string;
  parentRunId?: string;
  /** The run directory this run writes to. */
  runDir?: string;
  /** Where MOXING_HOME and MOXING_TRACKING are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the one warning goes (default stderr). */
  warn?: (message: string) => void;
  /** Buffered metrics are written when this much time has passed since the last write (default 250 ms). */
  flushIntervalMs?: number;
}

const OFF: Tracker = {
  runId: undefined,
  log: () => undefined,
  artifact: () => undefined,
  registerModel: () => undefined,
  flush: () => undefined,
  heartbeat: () => undefined,
  finish: () => undefined,
};

/**
 * Starts recording a run in $MOXING_HOME/moxing.db (unless MOXING_TRACKING=0). If the database
 * cannot be opened or written, it warns once on stderr and training carries on untracked. A run
 * the process never finishes is closed on exit ('failed' if the exit code is non-zero); a killed
 * process leaves it 'running', which readers report as 'interrupted' once the pid is gone.
 *
 * @example
 * const tracker = startTracking('pretrain', { lr: 3e-4, nLayer: 4 }, { runDir: 'runs/base' });
 * for (let step = 1; step <= 1000; step++) tracker.log(step, { trainLoss: loss });
 * tracker.artifact('runs/base/model.safetensors', 'checkpoint');
 * tracker.finish();
 */
export function startTracking(kind: RunKind, config: Record<string, unknown>, options: TrackingOptions = {}): Tracker {
  const env = options.env ?? process.env;
  if (env.MOXING_TRACKING === '0' || env.MOXING_TRACKING === 'false' || env.MOXING_TRACKING === 'off') return OFF;
  let warned = false;
  const warn = (what: string, err: unknown): void => {
    if (warned) return;
    warned = true;
    const message = `moxing: tracking ${what}: ${err instanceof Error ? err.message : String(err)} (training continues; MOXING_TRACKING=0 turns tracking off)\n`;
    if (options.warn) options.warn(message);
    else process.stderr.write(message);
  };

  let store: RunStore;
  let runId: string;
  try {
    store = RunStore.open(moxingHome(env), { busyTimeoutMs: 2000 });
  } catch (err) {
    warn('is off', err);
    return OFF;
  }
  try {
    let parentRunId = options.parentRunId;
    if (parentRunId !== undefined && store.getRun(parentRunId) === undefined) {
      warn('lineage', new Error(`parent run ${parentRunId} is not in ${store.file}`));
      parentRunId = undefined;
    }
    if (parentRunId === undefined && options.initFrom !== undefined) {
      parentRunId = store.listRuns({ runDir: resolve(options.initFrom), limit: 1 })[0]?.id;
    }
    runId = store.createRun({ kind, name: options.name, config, parentRunId, initFrom: options.initFrom, runDir: options.runDir }).id;
  } catch (err) {
    warn('is off', err);
    store.close();
    return OFF;
  }

  const interval = options.flushIntervalMs ?? 250;
  let buffer: MetricEntry[] = [];
  let lastFlush = 0;
  let timer: NodeJS.Timeout | undefined;
  let done = false;

  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0 || done) return;
    const entries = buffer;
    buffer = [];
    lastFlush = Date.now();
    try {
      store.logMetricsBatch(runId, entries);
    } catch (err) {
      warn('could not write metrics', err);
    }
  };
  const finish = (status: Exclude<RunStatus, 'running'> = 'finished'): void => {
    if (done) return;
    flush();
    done = true;
    process.off('exit', onExit);
    try {
      store.finishRun(runId, status);
    } catch (err) {
      warn('could not finish the run', err);
    }
    store.close();
  };
  // Runs synchronously at exit (better-sqlite3 is synchronous), so an uncaught error still closes the run.
  const onExit = (code: number): void => finish(code === 0 ? 'finished' : 'failed');
  process.on('exit', onExit);

  return {
    runId,
    log(step, metrics) {
      if (done) return;
      const entry = { step, values: { ...metrics }, time: Date.now() };
      try {
        validateMetricEntry(entry);
      } catch (err) {
        warn('dropped a metric', err);
        return;
      }
      buffer.push(entry);
      if (Date.now() - lastFlush >= interval || buffer.length >= 1024) flush();
      // A loop that goes quiet (a long eval, the end of training) still shows its last points.
      else if (timer === undefined) timer = setTimeout(flush, interval).unref();
    },
    artifact(path, kind) {
      if (done) return;
      try {
        store.logArtifact(runId, path, { kind });
      } catch (err) {
        warn(`could not record artifact ${path}`, err);
      }
    },
    registerModel(input) {
      if (done) return undefined;
      try {
        return store.registerModel({ ...input, runId });
      } catch (err) {
        warn(`could not register model ${input.name}`, err);
        return undefined;
      }
    },
    flush,
    heartbeat() {
      if (done) return;
      try {
        store.heartbeat(runId);
      } catch (err) {
        warn('could not write a heartbeat', err);
      }
    },
    finish,
  };
}
