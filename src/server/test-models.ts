// Test fixtures: tiny random GPTs with a small trained tokenizer, in memory or saved as run dirs.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '../llm/gpt.js';
import { RUN_FORMAT, saveCheckpoint, type ChatTemplate, type LoadedRun, type RunConfig } from '../llm/run-dir.js';
import { Tokenizer } from '../text/tokenizer.js';

const TEXT = [
  'The quick brown fox jumps over the lazy dog. ',
  'It was the best of times, it was the worst of times. ',
  'I loved this film, it was wonderful and moving. ',
  'This was a terrible, boring waste of time. ',
  '{"name": "moxing", "ok": true, "n": [1, 2, 3]} ',
  'Hello world! How are you today? I am fine, thank you. ',
  'User: hi\nAssistant: hello there\n',
].join('').repeat(8);

let tokenizer: Tokenizer | null = null;

/** A 300-token BPE trained once per process on a few KB of text. */
export function tinyTokenizer(): Tokenizer {
  tokenizer ??= Tokenizer.train([TEXT], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
  return tokenizer;
}

export interface TinyOptions {
  name?: string;
  seed?: number;
  blockSize?: number;
  chatTemplate?: ChatTemplate;
  task?: Record<string, unknown>;
}

/**
 * A tiny random GPT (1 layer, 2 heads, 32 dims) as a loaded run, without touching the disk.
 * @example const run = tinyRun({ name: 'tiny' }); registry.addRun(run);
 */
export function tinyRun(options: TinyOptions = {}): LoadedRun {
  const tok = tinyTokenizer();
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: options.blockSize ?? 64, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true }, { seed: options.seed ?? 1 });
  model.eval();
  const config: RunConfig = {
    format: RUN_FORMAT, kind: 'gpt', model: model.config, createdAt: new Date(0).toISOString(),
    name: options.name ?? 'tiny', chatTemplate: options.chatTemplate, task: options.task,
  };
  return { dir: `/memory/${config.name}`, config, tokenizer: tok, model, state: null };
}

/**
 * The same tiny model saved as a run directory under a fresh temp dir; returns the directory.
 * @example const dir = await tinyRunDir({ name: 'tiny' }); await registry.load(dir);
 */
export async function tinyRunDir(options: TinyOptions = {}): Promise<string> {
  const run = tinyRun(options);
  const dir = join(mkdtempSync(join(tmpdir(), 'moxing-serve-')), run.config.name!);
  await saveCheckpoint(dir, { config: run.config, tokenizer: run.tokenizer, model: run.model });
  return dir;
}
