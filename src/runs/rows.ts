// Between database rows and API objects: JSON number maps (NaN and Infinity kept), times, validation.

import { processGone } from './liveness.js';
import type { Artifact, MetricEntry, ModelKind, RegisteredModel, Run, RunKind, RunStatus } from './types.js';

/** A database row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/** Run kinds and model names: a letter or digit, then letters, digits and . _ / -. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._\/-]*$/;

/**
 * A number map as JSON text. JSON has no NaN or Infinity, and json_patch deletes keys set to null,
 * so non-finite values travel as strings.
 *
 * @example
 * encodeNumbers({ loss: NaN, acc: 0.9 }); // '{"loss":"NaN","acc":0.9}'
 */
export function encodeNumbers(values: Readonly<Record<string, number>>): string {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = Number.isFinite(v) ? v : String(v);
  return JSON.stringify(out);
}

function decodeNumbers(text: unknown): Record<string, number> {
  const raw = JSON.parse(String(text)) as Record<string, number | string>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = Number(v);
  return out;
}

function iso(ms: unknown): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

/**
 * Throws a TypeError unless `entry` is loggable: an integer step, non-empty names, number values.
 *
 * @example
 * validateMetricEntry({ step: 1, values: { loss: 2.5 } }); // ok
 */
export function validateMetricEntry(entry: MetricEntry): void {
  checkStep(entry.step);
  checkValues(entry.values);
}

/**
 * Throws a TypeError unless every name is non-empty and every value a number.
 *
 * @example
 * checkValues({ valLoss: 2.9 });
 */
export function checkValues(values: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (name === '') throw new TypeError('metric names cannot be empty');
    if (typeof value !== 'number') throw new TypeError(`metric "${name}" must be a number, got ${typeof value}`);
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step)) throw new TypeError(`step must be an integer, got ${step}`);
}

/**
 * A `runs` row as a Run; a 'running' run whose process is gone reads as 'interrupted'.
 *
 * @example
 * const run = toRun(db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row);
 */
export function toRun(r: Row): Run {
  let status = r.status as RunStatus;
  if (status === 'running' && typeof r.pid === 'number' && typeof r.host === 'string') {
    const gone = processGone({ pid: r.pid, host: r.host, start: (r.pid_start as string | null) ?? null });
    if (gone === true) status = 'interrupted';
  }
  return {
    id: r.id as string,
    kind: r.kind as RunKind,
    name: (r.name as string | null) ?? null,
    status,
    config: JSON.parse(r.config as string) as Record<string, unknown>,
    parentRunId: (r.parent_run_id as string | null) ?? null,
    initFrom: (r.init_from as string | null) ?? null,
    runDir: (r.run_dir as string | null) ?? null,
    pid: (r.pid as number | null) ?? null,
    host: (r.host as string | null) ?? null,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    heartbeatAt: iso(r.heartbeat_at),
    lastStep: (r.last_step as number | null) ?? null,
    summary: decodeNumbers(r.summary),
  };
}

/**
 * An `artifacts` row as an Artifact.
 *
 * @example
 * const artifact = toArtifact(row);
 */
export function toArtifact(r: Row): Artifact {
  return {
    runId: r.run_id as string,
    path: r.path as string,
    kind: (r.kind as string | null) ?? null,
    size: r.size as number,
    sha256: r.sha256 as string,
    createdAt: iso(r.created_at)!,
  };
}

/**
 * A `models` row as a RegisteredModel.
 *
 * @example
 * const model = toModel(row);
 */
export function toModel(r: Row): RegisteredModel {
  return {
    name: r.name as string,
    version: r.version as number,
    kind: r.kind as ModelKind,
    path: r.path as string,
    metrics: decodeNumbers(r.metrics),
    runId: (r.run_id as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    createdAt: iso(r.created_at)!,
  };
}
