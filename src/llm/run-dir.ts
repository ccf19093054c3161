// A run directory: config.json, tokenizer.json, model.safetensors, optimizer.safetensors, state.json.
// Checkpoints are journaled: all files are written into checkpoint.tmp/, which is complete once its
// state.json exists; then they are renamed into place. An interrupted checkpoint is rolled forward
// (complete) or discarded (incomplete) on the next open, so the run dir is always consistent.

import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import type { RngState } from '../tensor/random.js';
import { Tokenizer } from '../text/tokenizer.js';
import { makeFolder, writeFileAtomicSync, writeJsonAtomicSync } from '../io/atomic-write.js';
import { loadStateDict, saveStateDict, type StorageDType } from '../io/state-dict.js';
import { SafetensorsError } from '../io/safetensors-dtype.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { GPT } from './gpt.js';
import { allocateModel, type GPTConfig, validateConfig } from './config.js';
import { namingPath } from '../io/path-message.js';

export const RUN_FORMAT = 1;

/** What config.json holds. */
export interface RunConfig {
  format: number;
  kind: 'gpt';
  model: GPTConfig;
  /** Training hyper-parameters (whatever the trainer used), for the record and for resume. */
  train?: Record<string, unknown>;
  /** Lineage: the run this one started from (continued pretraining, fine-tuning). */
  initFrom?: string;
  /**
   * Tokens the starting weights had already read: the initFrom run's own and its ancestors'. With
   * state.json's tokensSeen it is the whole pretraining, which compute (FLOPs) is counted from.
   */
  tokensBefore?: number;
  /** Chat template for instruction-tuned models: {system}, {user} and {assistant} turns. */
  chatTemplate?: ChatTemplate;
  /** Task heads and labels of fine-tuned models. */
  task?: Record<string, unknown>;
  createdAt: string;
  /** A human name, e.g. moxing-base. */
  name?: string;
  description?: string;
}

/** A minimal chat template: how turns are written before the model continues as the assistant. */
export interface ChatTemplate {
  system: string;
  user: string;
  assistant: string;
  /** Written after the assistant's text; generation stops when the model emits it. */
  end: string;
}

/** What state.json holds: where training stands. */
export interface TrainState {
  step: number;
  modelRng: RngState;
  dataRng: RngState;
  tokensSeen: number;
  bestValLoss: number | null;
  /** Free-form extras a trainer keeps. */
  extra?: Record<string, unknown>;
}

/** Thrown for missing or corrupt run directories, with the path and the part that is wrong. */
export class RunDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDirError';
  }
}

const TMP = 'checkpoint.tmp';

/**
 * Refuses an output folder that would overwrite a model (it holds a config.json) or that cannot be
 * a folder (a file there or above it): checked before the work, so minutes of training or a model
 * the user meant to keep are never lost to a mistyped --out.
 * @example assertNewRunDir('runs/merged'); // throws if runs/merged/config.json exists
 */
export function assertNewRunDir(dir: string, flag = '--out'): void {
  let at = resolve(dir);
  for (;;) {
    if (existsSync(at)) {
      if (!statSync(at).isDirectory()) throw new RunDirError(`${flag} ${dir}: ${at === resolve(dir) ? 'is a file, not a folder' : `${at} is a file, not a folder`}`);
      break;
    }
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(join(dir, 'config.json'))) throw new RunDirError(`${flag} ${dir} already holds a model (config.json); choose another folder, or delete that one first`);
}

/** Finishes or discards an interrupted checkpoint (see the file comment). */
export function recoverRunDir(dir: string): void {
  const tmp = join(dir, TMP);
  if (!existsSync(tmp)) return;
  if (existsSync(join(tmp, 'state.json'))) {
    for (const f of readdirSync(tmp).sort((a, b) => (a === 'state.json' ? 1 : b === 'state.json' ? -1 : a.localeCompare(b)))) {
      renameSync(join(tmp, f), join(dir, f));
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

export interface CheckpointParts {
  config: RunConfig;
  tokenizer: Tokenizer;
  model: GPT;
  optimizer?: OptimizerState;
  state?: TrainState;
  /** Storage precision of the weights (F32 for training runs; shipped models may use BF16). */
  dtype?: StorageDType;
}

/**
 * Writes a full checkpoint into `dir` (created if needed), journaled so a kill at any moment leaves
 * either the previous or the new checkpoint, never a mix.
 * @example await saveCheckpoint('runs/austen', { config, tokenizer, model, optimizer: opt.getState(), state })
 */
export async function saveCheckpoint(dir: string, parts: CheckpointParts): Promise<void> {
  makeFolder(dir);
  recoverRunDir(dir);
  const tmp = join(dir, TMP);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const step = String(parts.state?.step ?? 0);
  writeJsonAtomicSync(join(tmp, 'config.json'), parts.config);
  writeFileAtomicSync(join(tmp, 'tokenizer.json'), JSON.stringify(parts.tokenizer.toJSON()));
  await saveStateDict(join(tmp, 'model.safetensors'), parts.model.stateDict(), { dtype: parts.dtype ?? 'F32', metadata: { format: 'pt', step } });
  if (parts.optimizer) {
    await saveStateDict(join(tmp, 'optimizer.safetensors'), parts.optimizer.buffers, { metadata: { step: String(parts.optimizer.step) } });
  }
  // state.json last: its presence marks the checkpoint complete.
  writeJsonAtomicSync(join(tmp, 'state.json'), parts.state ?? { step: 0, modelRng: parts.model.rng.getState(), dataRng: [0, 0, 0, 0], tokensSeen: 0, bestValLoss: null });
  recoverRunDir(dir);
}

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RunDirError(`${path}: missing (${what})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RunDirError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Reads and checks config.json. */
export function readRunConfig(dir: string): RunConfig {
  if (!existsSync(dir)) throw new RunDirError(`${dir}: not a run directory (it does not exist)`);
  if (!statSync(dir).isDirectory()) {
    throw new RunDirError(`${dir}: a file, not a run directory${dir.endsWith('.json') ? ' (a classical model file? those are for predict, evaluate and serve)' : ''}`);
  }
  recoverRunDir(dir);
  const config = readJson<RunConfig>(join(dir, 'config.json'), 'the run config');
  if (config.kind !== 'gpt' || typeof config.model !== 'object') throw new RunDirError(`${join(dir, 'config.json')}: not a moxing GPT run config`);
  if (config.format !== RUN_FORMAT) throw new RunDirError(`${join(dir, 'config.json')}: run format ${config.format} is not supported (this moxing reads format ${RUN_FORMAT})`);
  try {
    validateConfig(config.model);
  } catch (err) {
    throw new RunDirError(`${join(dir, 'config.json')}: ${(err as Error).message}`);
  }
  return config;
}

export interface LoadedRun {
  dir: string;
  config: RunConfig;
  tokenizer: Tokenizer;
  model: GPT;
  state: TrainState | null;
}

/** What a caller may change in a run's model as it loads (the weights stay the same). */
export interface LoadRunOverrides {
  /** Dropout for further training (fine-tuning a model pretrained without it); inference ignores it. */
  dropout?: number;
}

/**
 * Loads a run's model and tokenizer (weights stored in F32, F16 or BF16 come back as float32).
 * @example const { model, tokenizer } = await loadRun('runs/austen');
 */
export async function loadRun(dir: string, overrides: LoadRunOverrides = {}): Promise<LoadedRun> {
  dir = resolve(dir);
  const config = readRunConfig(dir);
  if (overrides.dropout !== undefined) {
    if (!(overrides.dropout >= 0 && overrides.dropout < 1)) throw new RunDirError(`dropout ${overrides.dropout} is outside [0, 1)`);
    config.model = { ...config.model, dropout: overrides.dropout };
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromFile(join(dir, 'tokenizer.json'));
  } catch (err) {
    throw new RunDirError(namingPath(join(dir, 'tokenizer.json'), (err as Error).message));
  }
  if (tokenizer.vocabSize > config.model.vocabSize) {
    throw new RunDirError(`${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.model.vocabSize}`);
  }
  let model: GPT;
  try {
    model = allocateModel(config.model, join(dir, 'config.json'), () => new GPT(config.model));
  } catch (err) {
    throw new RunDirError((err as Error).message);
  }
  const weights = join(dir, 'model.safetensors');
  if (!existsSync(weights)) throw new RunDirError(`${weights}: missing (the model weights)`);
  let tensors: Record<string, Tensor>;
  try {
    tensors = (await loadStateDict(weights)).tensors;
  } catch (err) {
    // A SafetensorsError already names the file: prefixing it again printed the path twice.
    if (err instanceof SafetensorsError && err.path !== undefined) throw new RunDirError(err.message);
    throw new RunDirError(`${weights}: ${(err as Error).message}`);
  }
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    throw new RunDirError(`${weights}: ${(err as Error).message}`);
  }
  const statePath = join(dir, 'state.json');
  const state = existsSync(statePath) ? readJson<TrainState>(statePath, 'the training state') : null;
  if (state) model.rng.setState(state.modelRng);
  model.eval();
  return { dir, config, tokenizer, model, state };
}

/** Reads optimizer.safetensors if present. */
export async function loadOptimizerState(dir: string): Promise<OptimizerState | null> {
  const path = join(dir, 'optimizer.safetensors');
  if (!existsSync(path)) return null;
  const { tensors, metadata } = await loadStateDict(path);
  return { step: Number(metadata.step ?? 0), buffers: tensors };
}
