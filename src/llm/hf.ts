// Export a moxing run to the Hugging Face GPT-2 layout, and import one as a moxing run.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { readHfGpt2, writeHfGpt2 } from '../io/hf-gpt2.js';
import { GPT } from './gpt.js';
import { assertNewRunDir, loadRun, saveCheckpoint, RUN_FORMAT } from './run-dir.js';
import { allocateModel, validateConfig } from './config.js';

/**
 * Writes `runDir`'s model as a HF GPT-2 directory that transformers, vLLM and friends load.
 * @example await exportHf('runs/austen', 'hf/austen')
 */
export async function exportHf(runDir: string, outDir: string): Promise<void> {
  // A Hugging Face folder from an earlier export may be written again; a moxing run (the model being
  // exported, say) may not: its config.json would be replaced by the Hugging Face one.
  if (!isHfExport(outDir)) assertNewRunDir(outDir);
  const { model, tokenizer } = await loadRun(runDir);
  const eos = tokenizer.tokenToId('<|endoftext|>') ?? null;
  await writeHfGpt2(outDir, model.config, model.stateDict(), JSON.stringify(tokenizer.toJSON()), eos);
}

/**
 * Reads a HF GPT-2 directory (with or without the `transformer.` prefix, tied or explicit lm_head)
 * into a new moxing run directory.
 * @example await importHf('hf/gpt2-small-random', 'runs/imported')
 */
export async function importHf(hfDir: string, outRunDir: string): Promise<void> {
  assertNewRunDir(outRunDir); // the Hugging Face folder itself among others
  const hf = await readHfGpt2(hfDir);
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromFile(hf.tokenizerPath);
  } catch (err) {
    throw new Error(`${hf.tokenizerPath}: ${(err as Error).message}`);
  }
  const config = validateConfig({ ...hf.shape, dropout: 0 });
  const model = allocateModel(config, join(hfDir, 'config.json'), () => new GPT(config));
  try {
    model.loadStateDict(hf.state);
  } catch (err) {
    // The weights disagree with config.json's sizes: say both files.
    throw new Error(`${join(hfDir, 'model.safetensors')} does not match ${join(hfDir, 'config.json')} (n_layer ${config.nLayer}, n_embd ${config.nEmbd}, n_head ${config.nHead}, vocab_size ${config.vocabSize}, n_positions ${config.blockSize}): ${(err as Error).message}`);
  }
  await saveCheckpoint(outRunDir, {
    config: {
      format: RUN_FORMAT, kind: 'gpt', model: config, createdAt: new Date().toISOString(),
      description: `imported from ${resolve(hfDir)}`, task: hf.config.add_bos_token ? { addBosToken: true } : undefined,
    },
    tokenizer, model,
  });
}

/** Whether dir holds a Hugging Face GPT-2 config (an earlier export), not a moxing run's. */
function isHfExport(dir: string): boolean {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return false;
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as { model_type?: unknown };
    return c.model_type === 'gpt2';
  } catch {
    return false;
  }
}
