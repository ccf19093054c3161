// The tracking store's public shapes: runs, metric points, artifacts, registered models.

import type { ProcessIdentity } from './liveness.js';

/** What created a run; the four CLI trainers use these, other tools may add their own. */
export type RunKind = 'fit' | 'pretrain' | 'train' | 'finetune' | (string & {});

/** 'interrupted' is also reported (not stored) for a 'running' run whose process is gone. */
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** A tracked run as the API returns it (times as ISO strings). */
export interface Run {
  id: string;
  kind: RunKind;
  name: string | null;
  status: RunStatus;
  config: Record<string, unknown>;
  /** Lineage: the tracked run this one continued from. */
  parentRunId: string | null;
  /** Lineage: the checkpoint, run dir or model this one was initialised from. */
  initFrom: string | null;
  runDir: string | null;
  pid: number | null;
  host: string | null;
  startedAt: string;
  endedAt: string | null;
  /** The last time the run wrote anything (metrics or a heartbeat). */
  heartbeatAt: string | null;
  lastStep: number | null;
  /** The latest value of every metric logged. */
  summary: Record<string, number>;
}

/** What `createRun` takes. */
export interface CreateRunInput {
  kind: RunKind;
  name?: string;
  config?: Record<string, unknown>;
  parentRunId?: string;
  initFrom?: string;
  runDir?: string;
  /** Who runs it, for spotting killed runs; defaults to this process, null records none. */
  process?: ProcessIdentity | null;
}

/** One logged value. `id` increases with every write, so it is a cursor for live readers. */
export interface MetricPoint {
  id: number;
  step: number;
  name: string;
  value: number;
  /** Milliseconds since the epoch. */
  time: number;
}

/** One step's worth of metrics, for `logMetricsBatch`. */
export interface MetricEntry {
  step: number;
  values: Readonly<Record<string, number>>;
  /** Milliseconds since the epoch; defaults to now. */
  time?: number;
}

/** Which points `metrics` returns. */
export interface MetricsQuery {
  /** Only steps strictly greater than this. */
  afterStep?: number;
  /** Only points written after the point with this id (see MetricPoint.id); for polling / SSE. */
  afterId?: number;
  names?: readonly string[];
  limit?: number;
}

/** A file or directory a run produced, with its size and SHA-256 (see hash.ts for directories). */
export interface Artifact {
  runId: string;
  path: string;
  kind: string | null;
  size: number;
  sha256: string;
  createdAt: string;
}

/** A registered model is a classical estimator (JSON) or a GPT (run directory). */
export type ModelKind = 'classical' | 'gpt';

/** One version of a registered model. */
export interface RegisteredModel {
  name: string;
  version: number;
  kind: ModelKind;
  path: string;
  metrics: Record<string, number>;
  runId: string | null;
  description: string | null;
  createdAt: string;
}

/** What `registerModel` takes; the version is the next free one for `name`. */
export interface RegisterModelInput {
  name: string;
  kind: ModelKind;
  path: string;
  metrics?: Readonly<Record<string, number>>;
  runId?: string;
  description?: string;
}
