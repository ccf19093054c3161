// GPT configuration and presets, from a 0.1M-parameter toy to GPT-2 XL and paper-only giants.

export interface GPTConfig {
  vocabSize: number;
  /** Maximum context length (number of learned positions). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  /** Biases in Linear layers and LayerNorms (GPT-2: true). */
  bias: boolean;
}

export interface Preset {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  /** Vocabulary the preset was defined with (GPT-2's for the gpt2 family); a tokenizer overrides it. */
  vocabSize: number;
  /** Only for size arithmetic: too large to train or load here. */
  paperOnly?: boolean;
  note: string;
}

/** Named sizes; `moxing size --preset P` prints their arithmetic. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  nano: { nLayer: 2, nHead: 2, nEmbd: 48, blockSize: 64, vocabSize: 512, note: '~0.1M: a toy that trains in seconds' },
  micro: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128, vocabSize: 4096, note: '~1.3M: trains in minutes on a laptop CPU' },
  mini: { nLayer: 6, nHead: 6, nEmbd: 192, blockSize: 256, vocabSize: 8192, note: '~4M: the size of the shipped base model family' },
  small: { nLayer: 8, nHead: 8, nEmbd: 384, blockSize: 256, vocabSize: 8192, note: '~17M: an hour-scale CPU run' },
  gpt2: { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257, note: 'GPT-2 small, 124M (Radford et al. 2019)' },
  'gpt2-medium': { nLayer: 24, nHead: 16, nEmbd: 1024, blockSize: 1024, vocabSize: 50257, note: 'GPT-2 medium, 350M' },
  'gpt2-large': { nLayer: 36, nHead: 20, nEmbd: 1280, blockSize: 1024, vocabSize: 50257, note: 'GPT-2 large, 774M' },
  'gpt2-xl': { nLayer: 48, nHead: 25, nEmbd: 1600, blockSize: 1024, vocabSize: 50257, note: 'GPT-2 XL, 1.5B' },
  'gpt3-small': { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 2048, vocabSize: 50257, paperOnly: true, note: 'GPT-3 Small, 125M (Brown et al. 2020)' },
  'gpt3-xl': { nLayer: 24, nHead: 24, nEmbd: 2048, blockSize: 2048, vocabSize: 50257, paperOnly: true, note: 'GPT-3 XL, 1.3B' },
  'gpt3-13b': { nLayer: 40, nHead: 40, nEmbd: 5140, blockSize: 2048, vocabSize: 50257, paperOnly: true, note: 'GPT-3 13B' },
  'gpt3-175b': { nLayer: 96, nHead: 96, nEmbd: 12288, blockSize: 2048, vocabSize: 50257, paperOnly: true, note: 'GPT-3 175B' },
};

/** A model too large for the arrays that would hold it: where its config came from, and why. */
export class ModelAllocationError extends RangeError {
  constructor(readonly where: string, readonly reason: string, c: GPTConfig) {
    super(`${where}: the model it describes cannot be allocated (vocabSize ${c.vocabSize}, blockSize ${c.blockSize}, nEmbd ${c.nEmbd}, nLayer ${c.nLayer}): ${reason}`);
    this.name = 'ModelAllocationError';
  }
}

/**
 * Allocates the model a config describes, or says which config and which sizes could not be held (a
 * RangeError from a typed array names neither). Nested calls keep the reason and take the outer place.
 * @example const model = allocateModel(config, 'runs/a/config.json', () => new GPT(config));
 */
export function allocateModel<T>(c: GPTConfig, where: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof ModelAllocationError) throw new ModelAllocationError(where, err.reason, c);
    if (err instanceof RangeError) throw new ModelAllocationError(where, err.message, c);
    throw err;
  }
}

/** Checks a config and says what is wrong in one line. */
export function validateConfig(c: GPTConfig): GPTConfig {
  const ints: Array<keyof GPTConfig> = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`GPT config: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new Error(`GPT config: nEmbd ${c.nEmbd} is not divisible by nHead ${c.nHead}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`GPT config: dropout must be in [0, 1), got ${c.dropout}`);
  return c;
}

/**
 * A full config from a preset name plus overrides.
 * @example configFromPreset('micro', { vocabSize: tokenizer.vocabSize })
 */
export function configFromPreset(name: string, overrides: Partial<GPTConfig> = {}): GPTConfig {
  // Own keys only: 'toString' or '__proto__' are not presets.
  const p = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!p) throw new Error(`unknown preset '${name}' (choose from ${Object.keys(PRESETS).join(', ')})`);
  if (overrides.blockSize !== undefined && overrides.blockSize > p.blockSize) {
    throw new Error(`block size ${overrides.blockSize} is over the '${name}' preset's limit of ${p.blockSize}`);
  }
  return validateConfig({
    vocabSize: p.vocabSize, blockSize: p.blockSize, nLayer: p.nLayer, nHead: p.nHead, nEmbd: p.nEmbd,
    dropout: 0, bias: true, ...overrides,
  });
}
