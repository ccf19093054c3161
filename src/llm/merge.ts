// Merging runs by averaging their weights: the members of a model soup (src/llm/soup.ts) fine-tuned
// in separate processes (`finetune --shuffle-seed`), so that they can run side by side on several
// cores or machines. Averaging is only meaningful between runs of one architecture and tokenizer that
// started from the same weights; the first two are checked here, the last is the caller's to know
// (`initFrom` in each config says where a run started).

import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import * as F from '../ops/index.js';
import { saveStateDict } from '../io/state-dict.js';
import { assertNewRunDir, loadRun, saveCheckpoint, RUN_FORMAT, type LoadedRun, type RunConfig } from './run-dir.js';
import { loadClassifier, type ClassifyTask } from './classify.js';
import { ParameterSoup, type NamedParameters } from './soup.js';
import type { GPTClassifier } from './classify.js';

export interface MergeResult {
  outDir: string;
  /** The runs averaged, resolved. */
  members: string[];
  /** The task of the merged model ('classify', 'qa' ...), or null for a plain language model. */
  task: string | null;
}

/** What must agree between runs for their weights to be averaged, as a string to compare. */
function architecture(run: LoadedRun): string {
  const { dropout: _dropout, ...shape } = run.model.config;
  return JSON.stringify(shape);
}

function taskKey(config: RunConfig): string {
  const task = config.task as Partial<ClassifyTask> | undefined;
  if (!task) return 'none';
  // Metrics differ between members; what the head means must not.
  const { metrics: _metrics, textCol: _t, labelCol: _l, ...rest } = task;
  return JSON.stringify(rest);
}

function recipe(config: RunConfig): { train?: Record<string, unknown>; metrics?: unknown } {
  return { train: config.train, metrics: (config.task as { metrics?: unknown } | undefined)?.metrics };
}

function parametersOf(run: LoadedRun, clf: GPTClassifier | null): NamedParameters {
  return [...run.model.namedParameters('body.'), ...(clf ? clf.head.namedParameters('head.') : [])];
}

/**
 * Averages the weights of runs (and of their classification heads) into a new run directory.
 * @example await mergeRuns(['runs/sent-a', 'runs/sent-b', 'runs/sent-c'], 'runs/sent-soup')
 */
export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<MergeResult> {
  if (dirs.length < 2) throw new Error(`merge needs at least two runs to average (got ${dirs.length})`);
  const members = dirs.map((d) => resolve(d));
  const out = resolve(outDir);
  if (members.includes(out)) throw new Error(`--out ${outDir} is one of the runs to merge; write the average somewhere else`);
  assertNewRunDir(outDir);
  const dup = members.find((d, i) => members.indexOf(d) !== i);
  if (dup) throw new Error(`${dup} is listed twice; each run counts once in the average`);

  const first = await loadRun(members[0]);
  const isClassifier = (first.config.task as { type?: string } | undefined)?.type === 'classify';
  const firstClf = isClassifier ? await loadClassifier(members[0], first) : null;
  const target = parametersOf(first, firstClf);
  const soup = new ParameterSoup(target);
  soup.add();
  const tokenizer = JSON.stringify(first.tokenizer.toJSON());
  // How each member was trained and what it scored alone, kept in the merged run's record.
  const recipes: Array<{ train?: Record<string, unknown>; metrics?: unknown }> = [recipe(first.config)];
  for (const dir of members.slice(1)) {
    const run = await loadRun(dir);
    if (architecture(run) !== architecture(first)) {
      throw new Error(`${dir}: its model (${architecture(run)}) differs from ${members[0]}'s (${architecture(first)}); only runs of one architecture can be averaged`);
    }
    if (JSON.stringify(run.tokenizer.toJSON()) !== tokenizer) throw new Error(`${dir}: its tokenizer differs from ${members[0]}'s`);
    if (taskKey(run.config) !== taskKey(first.config)) {
      throw new Error(`${dir}: its task (${taskKey(run.config)}) differs from ${members[0]}'s (${taskKey(first.config)})`);
    }
    if (isClassifier && !existsSync(join(dir, 'head.safetensors'))) throw new Error(`${join(dir, 'head.safetensors')}: missing (the classification head)`);
    const clf = isClassifier ? await loadClassifier(dir, run) : null;
    recipes.push(recipe(run.config));
    // Copy this member into the first run's tensors, then add them: one model in memory at a time.
    const values = new Map(parametersOf(run, clf));
    for (const [name, p] of target) F.assign(p, values.get(name)!);
    soup.add();
  }
  soup.average();

  const task = first.config.task ? { ...first.config.task } : undefined;
  if (task) delete task.metrics; // the members' scores; the average has not been measured
  const config: RunConfig = {
    ...first.config, format: RUN_FORMAT, task,
    train: { merged: members, method: 'mean of the weights', members: recipes }, createdAt: new Date().toISOString(),
  };
  await saveCheckpoint(out, { config, tokenizer: first.tokenizer, model: first.model });
  if (firstClf) await saveStateDict(join(out, 'head.safetensors'), firstClf.head.stateDict());
  return { outDir: out, members, task: (task?.type as string | undefined) ?? null };
}
