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

/**
 * Classifies texts; returns one result per text and the tokens read. A fine-tuned classifier uses
 * its head when the request gives no labels; otherwise the labels are scored zero-shot.
 */
export type ClassifyFn = (texts: readonly string[], labels: readonly string[] | null) => { results: ClassifyResult[]; tokens: number };

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
  constructor(private readonly options: RegistryOptions = {}) {}

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
    const { model, tokenizer, config } = run;
    const head = options.classifier ?? null;
    const classify: ClassifyFn = (texts, labels) => {
      let tokens = 0;
      for (const t of texts) tokens += tokenizer.encode(t, { allowSpecial: false }).length;
      if (!labels && head) return { results: head.classify(texts), tokens };
      if (!labels) throw new Error('no labels: this model has no classifier head, so the request must give "labels"');
      return { results: texts.map((t) => zeroShotClassify(model, tokenizer, t, labels)), tokens };
    };
    const entry: LanguageModelEntry = {
      kind: 'language',
      id: options.id ?? config.name ?? basename(run.dir),
      dir: run.dir,
      created: now(),
      model,
      tokenizer,
      chatTemplate: config.chatTemplate ?? DEFAULT_CHAT_TEMPLATE,
      defaultChatTemplate: !config.chatTemplate,
      eosId: tokenizer.tokenToId('<|endoftext|>') ?? null,
      scheduler: new Scheduler(model, this.options.scheduler),
      labels: head ? head.task.labels : null,
      classify,
    };
    this.add(entry);
    return entry;
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
