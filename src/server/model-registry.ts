// The models a server holds, by id: language models (GPT run directories, each with its scheduler)
// and classical models (model files of `moxing fit`). Each is loaded once and shared by all requests.

import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadRun, type ChatTemplate, type LoadedRun } from '../llm/run-dir.js';
import { resolveModelPath } from '../llm/models.js';
import type { GPT } from '../llm/gpt.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import { DEFAULT_CHAT_TEMPLATE } from './chat-template.js';
import { loadClassical, type ClassicalPredictor } from './classical.js';
import { loadClassifier, zeroShotClassify, type ClassifyResult, type GPTClassifier } from '../llm/classify.js';
import { deviceBackendOf } from '../backends/registry.js';
import { fallBackToCpu } from '../backends/devices.js';
import { getDefaultDevice } from '../tensor/device.js';

/**
 * Classifies texts; returns one result per text and the tokens read. A fine-tuned classifier uses
 * its head when the request gives no labels; otherwise the labels are scored zero-shot.
 */
export type ClassifyFn = (texts: readonly string[], labels: readonly string[] | null) => Promise<{ results: ClassifyResult[]; tokens: number }>;

/** A served GPT. */
export interface LanguageModelEntry {
  kind: 'language';
  id: string;
  dir: string | null;
  /** Unix seconds when it was loaded. */
  created: number;
  model: GPT;
  tokenizer: Tokenizer;
  chatTemplate: ChatTemplate;
  /** True when config.json has no chat template and the default one is used. */
  defaultChatTemplate: boolean;
  /** <|endoftext|> (ends every generation), if the tokenizer has it. */
  eosId: number | null;
  scheduler: Scheduler;
  /** Labels of a fine-tuned classifier head, if the model has one. */
  labels: readonly string[] | null;
  classify: ClassifyFn;
}

/** A served classical model. */
export interface ClassicalModelEntry {
  kind: 'classical';
  id: string;
  dir: string | null;
  created: number;
  predictor: ClassicalPredictor;
}

export type ModelEntry = LanguageModelEntry | ClassicalModelEntry;

export interface RegistryOptions {
  scheduler?: SchedulerOptions;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * Models by id; ids are config.json's `name`, else the directory or file name.
 * @example
 * const reg = new ModelRegistry();
 * await reg.load('moxing-base');           // a shipped name, a run directory or a model.json
 * reg.get('moxing-base')?.kind;            // 'language'
 */
export class ModelRegistry {
  private readonly entries = new Map<string, ModelEntry>();
  /** Devices whose loss this registry listens for. */
  private readonly watched = new Set<string>();
  private fallback: Promise<void> | null = null;
  /** Why the language models moved to the cpu, once they did. */
  fellBack: string | null = null;
  constructor(private readonly options: RegistryOptions = {}) {}

  /** The device the language models run on ('webgpu', 'cpu'), or new tensors' device when there are none. */
  device(): string {
    const lm = this.list().find((e): e is LanguageModelEntry => e.kind === 'language');
    return lm ? lm.model.device.name : getDefaultDevice().name;
  }

  /**
   * After the GPU was lost (or a request met the loss first): new tensors go to the cpu, and every
   * language model on another device is reloaded there from its run directory. Its scheduler fails
   * the sequences that were running on the GPU and serves what is queued, and all later requests, on
   * the cpu. Idempotent: later calls return the same promise. Logs one line.
   */
  fallBackToCpu(fault: Error): Promise<void> {
    this.fallback ??= (async () => {
      this.fellBack = fault.message;
      fallBackToCpu(fault.message);
      const moving = this.list().filter((e): e is LanguageModelEntry => e.kind === 'language' && e.model.device.name !== 'cpu');
      process.stderr.write(`moxing serve: ${fault.message}; serving ${moving.map((e) => e.id).join(', ') || 'the models'} on the cpu from now on (weights reloaded from their run directories)\n`);
      await Promise.all(moving.map((entry) => {
        const reloaded = this.reloadOnCpu(entry);
        return entry.scheduler.moveTo(reloaded.then((parts) => {
          Object.assign(entry, parts);
          return parts.model;
        }), fault);
      }));
    })();
    return this.fallback;
  }

  private async reloadOnCpu(entry: LanguageModelEntry): Promise<Pick<LanguageModelEntry, 'model' | 'tokenizer' | 'labels' | 'classify'>> {
    let run: LoadedRun;
    try {
      run = await loadRun(entry.dir ?? '');
    } catch (err) {
      throw new Error(`the model '${entry.id}' was on the lost GPU and could not be reloaded on the cpu from ${entry.dir ?? 'its run directory'}: ${(err as Error).message}`);
    }
    const task = run.config.task as { type?: string } | undefined;
    const head = task?.type === 'classify' ? await loadClassifier(run.dir, run) : null;
    return this.languageParts(run, head);
  }

  /** Moves the models to the cpu if the device they run on is lost (once per device). */
  private watch(entry: LanguageModelEntry): void {
    const device = entry.model.device;
    if (this.watched.has(device.name)) return;
    this.watched.add(device.name);
    deviceBackendOf(device)?.onLost?.((err) => void this.fallBackToCpu(err));
  }

  /** All models in load order. */
  list(): ModelEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): ModelEntry | undefined {
    return this.entries.get(id);
  }

  /** Loads a model by shipped name, run directory or model file; throws a one-line error. */
  async load(nameOrDir: string): Promise<ModelEntry> {
    const path = resolveModelPath(nameOrDir);
    const isDir = statSync(path).isDirectory();
    if (!isDir || (!existsSync(join(path, 'config.json')) && existsSync(join(path, 'model.json')))) {
      const file = isDir ? join(path, 'model.json') : path;
      const id = isDir ? basename(path) : basename(path).replace(/\.json$/, '');
      return this.add({ kind: 'classical', id, dir: path, created: now(), predictor: loadClassical(file) });
    }
    const run = await loadRun(path);
    const task = run.config.task as { type?: string } | undefined;
    return this.addRun(run, { classifier: task?.type === 'classify' ? await loadClassifier(path, run) : null });
  }

  /**
   * Serves an already loaded run (tests build tiny ones in memory), with its fine-tuned classifier
   * head if it has one.
   */
  addRun(run: LoadedRun, options: { id?: string; classifier?: GPTClassifier | null } = {}): LanguageModelEntry {
    const { config } = run;
    const parts = this.languageParts(run, options.classifier ?? null);
    const entry: LanguageModelEntry = {
      kind: 'language',
      id: options.id ?? config.name ?? basename(run.dir),
      dir: run.dir,
      created: now(),
      ...parts,
      chatTemplate: config.chatTemplate ?? DEFAULT_CHAT_TEMPLATE,
      defaultChatTemplate: !config.chatTemplate,
      eosId: parts.tokenizer.tokenToId('<|endoftext|>') ?? null,
      scheduler: new Scheduler(parts.model, this.options.scheduler),
    };
    this.add(entry);
    this.watch(entry);
    return entry;
  }

  /** What a served GPT's entry holds of its run: the model, and classification over it. */
  private languageParts(run: LoadedRun, head: GPTClassifier | null): Pick<LanguageModelEntry, 'model' | 'tokenizer' | 'labels' | 'classify'> {
    const { model, tokenizer } = run;
    const classify: ClassifyFn = async (texts, labels) => {
      let tokens = 0;
      for (const t of texts) tokens += tokenizer.encode(t, { allowSpecial: false }).length;
      if (!labels && head) return { results: await head.classify(texts), tokens };
      if (!labels) throw new Error('no labels: this model has no classifier head, so the request must give "labels"');
      const results: ClassifyResult[] = [];
      for (const t of texts) results.push(await zeroShotClassify(model, tokenizer, t, labels));
      return { results, tokens };
    };
    return { model, tokenizer, labels: head ? head.task.labels : null, classify };
  }

  /** Serves a classical predictor under an id. */
  addClassical(id: string, predictor: ClassicalPredictor): ClassicalModelEntry {
    return this.add({ kind: 'classical', id, dir: null, created: now(), predictor });
  }

  private add<E extends ModelEntry>(entry: E): E {
    if (this.entries.has(entry.id)) throw new Error(`two models are named '${entry.id}'`);
    this.entries.set(entry.id, entry);
    return entry;
  }
}
