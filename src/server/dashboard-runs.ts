// Tracked runs as the dashboard shows them: a Run plus its GPT size, parameter count and best valLoss.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricPoint, Run, RunStore } from '../runs/store.js';
import { countGptParameters } from '../llm/size.js';
import type { GptShape, MetricPointView, RunRow } from './dashboard-types.js';

const SHAPE_KEYS = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const;

/** A GPT shape from an unknown value, or null when a size field is missing. */
function asShape(v: unknown): GptShape | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  for (const k of SHAPE_KEYS) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return null;
  return {
    vocabSize: o.vocabSize as number, blockSize: o.blockSize as number, nLayer: o.nLayer as number,
    nHead: o.nHead as number, nEmbd: o.nEmbd as number, bias: o.bias !== false,
  };
}

/**
 * Reads runs from the store for the dashboard; run-dir configs are read once and cached.
 * @example const view = new RunView(store); view.row(store.getRun('3fa9')!).parameters; // 124439808
 */
export class RunView {
  private readonly dirShapes = new Map<string, GptShape | null>();
  constructor(private readonly store: RunStore) {}

  /** The GPT a run trained: its config's `model`, else its run directory's config.json. */
  shape(run: Run): GptShape | null {
    const fromConfig = asShape(run.config.model);
    if (fromConfig || run.runDir === null) return fromConfig;
    let cached = this.dirShapes.get(run.runDir);
    if (cached === undefined) {
      cached = null;
      const file = join(run.runDir, 'config.json');
      try {
        if (existsSync(file)) cached = asShape((JSON.parse(readFileSync(file, 'utf8')) as { model?: unknown }).model);
      } catch {
        // A half-written or foreign config.json: the size stays unknown.
      }
      // A run dir without config.json yet may get one later: only cache what was found.
      if (cached !== null) this.dirShapes.set(run.runDir, cached);
    }
    return cached;
  }

  /** A run as a table row. */
  row(run: Run): RunRow {
    const model = this.shape(run);
    let best: number | null = null;
    for (const p of this.store.metrics(run.id, { names: ['valLoss'] })) {
      if (Number.isFinite(p.value) && (best === null || p.value < best)) best = p.value;
    }
    return {
      id: run.id, kind: run.kind, name: run.name, status: run.status, config: run.config,
      parentRunId: run.parentRunId, initFrom: run.initFrom, runDir: run.runDir,
      startedAt: run.startedAt, endedAt: run.endedAt, heartbeatAt: run.heartbeatAt, lastStep: run.lastStep,
      summary: finiteOnly(run.summary),
      model,
      parameters: model ? countGptParameters({ ...model, bias: model.bias ?? true, dropout: 0 }) : null,
      bestValLoss: best,
    };
  }
}

/** JSON has no NaN or Infinity: drop them from a summary. */
function finiteOnly(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}

/**
 * Metric points for JSON (NaN and Infinity become null).
 * @example pointsView([{ id: 1, step: 1, name: 'trainLoss', value: NaN, time: 0 }])[0].value; // null
 */
export function pointsView(points: readonly MetricPoint[]): MetricPointView[] {
  return points.map((p) => ({ id: p.id, step: p.step, name: p.name, value: Number.isFinite(p.value) ? p.value : null, time: p.time }));
}

/**
 * The cursor after a batch of points: the largest id seen (ids are not in step order).
 * @example nextCursor(4, [{ id: 9 }, { id: 7 }]); // 9
 */
export function nextCursor(cursor: number, points: readonly { id: number }[]): number {
  let c = cursor;
  for (const p of points) if (p.id > c) c = p.id;
  return c;
}
