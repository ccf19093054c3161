// The GPT shape flags shared by `moxing size` and `moxing pretrain`: a preset and/or explicit sizes.

import type { Command } from 'commander';
import { configFromPreset, PRESETS, validateConfig, type GPTConfig } from '../llm/config.js';
import { positiveInt } from './options.js';
import { UserError } from './errors.js';

export interface ShapeFlags {
  preset?: string;
  nLayer?: number;
  nHead?: number;
  nEmbd?: number;
  blockSize?: number;
  vocabSize?: number;
}

/** Adds --preset, --n-layer, --n-head, --n-embd, --block-size and --vocab-size to a command. */
export function addShapeOptions(cmd: Command, vocabHelp = 'vocabulary size'): Command {
  return cmd
    .option('--preset <name>', `a named size: ${Object.keys(PRESETS).join(', ')}`)
    .option('--n-layer <n>', 'transformer blocks', positiveInt)
    .option('--n-head <n>', 'attention heads', positiveInt)
    .option('--n-embd <n>', 'embedding width', positiveInt)
    .option('--block-size <n>', 'context length', positiveInt)
    .option('--vocab-size <n>', vocabHelp, positiveInt);
}

/**
 * The config the flags describe: a preset with overrides, or explicit sizes (all of --n-layer,
 * --n-head, --n-embd; --block-size too when `defaults` gives none). Errors become UserErrors.
 * `presetLimits`: a preset's block size is a ceiling (training), or may be exceeded (size arithmetic).
 */
export function configFromFlags(f: ShapeFlags, defaults: Partial<GPTConfig>, presetLimits = true): GPTConfig {
  const overrides: Partial<GPTConfig> = { ...defaults };
  if (f.nLayer) overrides.nLayer = f.nLayer;
  if (f.nHead) overrides.nHead = f.nHead;
  if (f.nEmbd) overrides.nEmbd = f.nEmbd;
  if (f.blockSize) overrides.blockSize = f.blockSize;
  if (f.vocabSize) overrides.vocabSize = f.vocabSize;
  try {
    if (f.preset) {
      if (presetLimits) return configFromPreset(f.preset, overrides);
      const { blockSize, ...rest } = overrides;
      return validateConfig({ ...configFromPreset(f.preset, rest), ...(blockSize ? { blockSize } : {}) });
    }
    const { nLayer, nHead, nEmbd, blockSize, vocabSize } = overrides;
    if (!nLayer || !nHead || !nEmbd || !blockSize || !vocabSize) {
      throw new Error('give --preset P, or all of --n-layer, --n-head, --n-embd and --block-size');
    }
    return validateConfig({ dropout: 0, bias: true, ...overrides, nLayer, nHead, nEmbd, blockSize, vocabSize });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}
