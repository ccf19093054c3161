// Hugging Face GPT-2 layout: model.safetensors with Conv1D weights stored (in, out), config.json with
// GPT-2's field names, tokenizer.json. Export from and import to moxing run directories.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { permute } from '../ops/layout.js';
import { noGrad } from '../tensor/grad-mode.js';
import { writeFileAtomicSync, writeJsonAtomicSync } from './atomic-write.js';
import { loadStateDict, saveStateDict } from './state-dict.js';

/** The fields of Hugging Face's GPT2Config that moxing reads and writes. */
export interface HfGpt2Config {
  model_type: 'gpt2';
  architectures: string[];
  vocab_size: number;
  n_positions: number;
  n_ctx?: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_inner: number | null;
  activation_function: string;
  layer_norm_epsilon: number;
  resid_pdrop: number;
  embd_pdrop: number;
  attn_pdrop: number;
  initializer_range: number;
  bos_token_id: number | null;
  eos_token_id: number | null;
  tie_word_embeddings: boolean;
  scale_attn_weights?: boolean;
  torch_dtype?: string;
  /** Not a GPT-2 field: set when prompts must start with a BOS token. */
  add_bos_token?: boolean;
}

/** Weights that HF's Conv1D stores transposed relative to torch.nn.Linear. */
const CONV1D = /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

function transpose2d(t: Tensor): Tensor {
  return noGrad(() => permute(t, [1, 0]));
}

/**
 * moxing state dict (Linear (out, in)) -> HF GPT-2 tensors (Conv1D (in, out), `transformer.` prefix kept).
 * The tied LM head is not written (HF ties lm_head.weight to transformer.wte.weight).
 */
export function toHfStateDict(state: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(state)) out[name] = CONV1D.test(name) ? transpose2d(t) : t;
  return out;
}

/**
 * HF GPT-2 tensors -> moxing names and layout. Accepts names with or without `transformer.`, drops the
 * attention-mask buffers (`attn.bias`, `attn.masked_bias`) and a tied `lm_head.weight`; an untied
 * head is refused because moxing's GPT ties it.
 */
export function fromHfStateDict(hf: Record<string, Tensor>, source = 'model.safetensors'): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [raw, t] of Object.entries(hf)) {
    if (raw === 'lm_head.weight') continue;
    const name = raw.startsWith('transformer.') ? raw : `transformer.${raw}`;
    // GPT-2 checkpoints carry the causal mask as a non-persistent buffer in older exports.
    if (/\.attn\.(bias|masked_bias)$/.test(name) && t.ndim !== 1) continue;
    out[name] = CONV1D.test(name) ? transpose2d(t) : t;
  }
  const head = hf['lm_head.weight'];
  const wte = out['transformer.wte.weight'];
  if (head && wte) {
    const wv = wte.dataSync();
    const same = head.size === wte.size && head.dataSync().every((v, i) => v === wv[i]);
    if (!same) throw new Error(`${source}: lm_head.weight differs from transformer.wte.weight; moxing's GPT ties them (untied heads are not supported)`);
  }
  return out;
}

export interface MoxingGptShape {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  bias: boolean;
}

/** moxing config -> HF config.json fields. */
export function toHfConfig(c: MoxingGptShape, eosTokenId: number | null): HfGpt2Config {
  return {
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: c.vocabSize, n_positions: c.blockSize, n_ctx: c.blockSize,
    n_embd: c.nEmbd, n_layer: c.nLayer, n_head: c.nHead, n_inner: null, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5,
    resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, initializer_range: 0.02, bos_token_id: eosTokenId, eos_token_id: eosTokenId,
    tie_word_embeddings: true, scale_attn_weights: true, torch_dtype: 'float32',
  };
}

/** HF config.json -> moxing shape; refuses variants moxing does not implement. */
export function fromHfConfig(h: Partial<HfGpt2Config>, source = 'config.json'): MoxingGptShape {
  if (h.model_type !== undefined && h.model_type !== 'gpt2') throw new Error(`${source}: model_type '${h.model_type}' is not gpt2`);
  const need = ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head'] as const;
  for (const k of need) if (typeof h[k] !== 'number') throw new Error(`${source}: missing or invalid '${k}'`);
  if (h.n_inner != null && h.n_inner !== 4 * h.n_embd!) throw new Error(`${source}: n_inner ${h.n_inner} != 4 * n_embd is not supported`);
  if (h.activation_function && !['gelu_new', 'gelu_pytorch_tanh'].includes(h.activation_function)) {
    throw new Error(`${source}: activation_function '${h.activation_function}' is not supported (moxing uses GPT-2's tanh GELU)`);
  }
  if (h.tie_word_embeddings === false) throw new Error(`${source}: untied word embeddings are not supported`);
  return { vocabSize: h.vocab_size!, blockSize: h.n_positions!, nLayer: h.n_layer!, nHead: h.n_head!, nEmbd: h.n_embd!, bias: true };
}

/**
 * Writes a HF GPT-2 directory (model.safetensors, config.json, tokenizer.json).
 * @example await writeHfGpt2('hf-out', model.config, model.stateDict(), tokenizerJsonText, eotId)
 */
export async function writeHfGpt2(
  outDir: string, shape: MoxingGptShape, state: Record<string, Tensor>, tokenizerJson: string, eosTokenId: number | null,
): Promise<void> {
  if (!shape.bias) throw new Error('export: the Hugging Face GPT-2 layout has biases; a model trained with --no-bias cannot be written in it');
  mkdirSync(outDir, { recursive: true });
  await saveStateDict(join(outDir, 'model.safetensors'), toHfStateDict(state), { metadata: { format: 'pt' } });
  writeJsonAtomicSync(join(outDir, 'config.json'), toHfConfig(shape, eosTokenId));
  writeFileAtomicSync(join(outDir, 'tokenizer.json'), tokenizerJson);
}

export interface HfGpt2Dir {
  shape: MoxingGptShape;
  config: Partial<HfGpt2Config>;
  state: Record<string, Tensor>;
  tokenizerPath: string;
}

/** Reads a HF GPT-2 directory into moxing names and layout. */
export async function readHfGpt2(dir: string): Promise<HfGpt2Dir> {
  dir = resolve(dir);
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder`);
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no config.json (not a Hugging Face model directory)`);
  let config: Partial<HfGpt2Config>;
  try {
    config = JSON.parse(readFileSync(cfgPath, 'utf8')) as Partial<HfGpt2Config>;
  } catch (err) {
    throw new Error(`${cfgPath}: not valid JSON (${(err as Error).message})`);
  }
  const shape = fromHfConfig(config, cfgPath);
  const weights = join(dir, 'model.safetensors');
  if (!existsSync(weights)) throw new Error(`${dir}: no model.safetensors (PyTorch .bin files are not read: convert them to safetensors)`);
  const { tensors } = await loadStateDict(weights);
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new Error(`${dir}: no tokenizer.json`);
  return { shape, config, state: fromHfStateDict(tensors, weights), tokenizerPath };
}
