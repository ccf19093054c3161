// Perplexity of a text in bits per byte (so models with different tokenizers compare): a GPT over
// sliding windows (each token scored once, with at least half a context before it), or an n-gram
// baseline over the same tokens.

import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from '../llm/gpt.js';
import { sumNll } from './model-reads.js';
import type { NgramModel } from './ngram.js';

/** What `moxing eval --task perplexity` prints. */
export interface PerplexityResult {
  task: 'perplexity';
  /** Tokens scored (every token of the text). */
  tokens: number;
  /** Mean negative log-likelihood per token, in nats. */
  nll: number;
  /** Total negative log-likelihood in bits over the text's UTF-8 bytes. */
  bitsPerByte: number;
}

export interface PerplexityOptions {
  /** Windows per forward pass. Default 8. */
  batchSize?: number;
  /** Tokens a window moves on; each window scores only its new tokens. Default blockSize / 2. */
  stride?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The text's tokens with the end-of-text marker in front, so the first token is predicted too.
 * @example scoredSequence(tokenizer, 'Hello') // [eot, ...tokenizer.encode('Hello')]
 */
export function scoredSequence(tokenizer: Tokenizer, text: string): number[] {
  const ids = tokenizer.encode(text, { allowSpecial: false });
  const eot = tokenizer.tokenToId('<|endoftext|>') ?? 0;
  return [eot, ...ids];
}

function result(totalNll: number, tokens: number, text: string): PerplexityResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  return { task: 'perplexity', tokens, nll: tokens ? totalNll / tokens : 0, bitsPerByte: bytes ? totalNll / Math.LN2 / bytes : 0 };
}

/**
 * A GPT's perplexity on a text.
 * @example await perplexityOfGpt(model, tokenizer, readFileSync('heldout.txt', 'utf8')) // { task, tokens, nll, bitsPerByte }
 */
export async function perplexityOfGpt(model: GPT, tokenizer: Tokenizer, text: string, options: PerplexityOptions = {}): Promise<PerplexityResult> {
  const seq = scoredSequence(tokenizer, text);
  const T = model.config.blockSize;
  const stride = Math.max(1, Math.min(T, options.stride ?? Math.floor(T / 2)));
  const batchSize = options.batchSize ?? 8;
  const windows: Array<{ begin: number; end: number; from: number }> = [];
  // A window feeds seq[begin, end) and predicts seq[begin + 1, end + 1); it scores targets after `from`.
  let scored = 0;
  for (let begin = 0; scored < seq.length - 1; begin += stride) {
    const end = Math.min(begin + T, seq.length - 1);
    windows.push({ begin, end, from: scored });
    scored = end;
  }
  let total = 0;
  let count = 0;
  for (let w = 0; w < windows.length; w += batchSize) {
    const batch = windows.slice(w, w + batchSize);
    const r = await sumNll(model, {
      ids: batch.map((x) => seq.slice(x.begin, x.end)),
      targets: batch.map((x) => seq.slice(x.begin + 1, x.end + 1).map((tok, i) => (x.begin + 1 + i > x.from ? tok : -1))),
    });
    total += r.nll;
    count += r.count;
    options.onProgress?.(Math.min(windows.length, w + batchSize), windows.length);
  }
  return result(total, count, text);
}

/**
 * An n-gram baseline's perplexity on a text, over the same tokens a GPT with this tokenizer scores.
 * @example perplexityOfNgram(NgramModel.train(ids, 2, vocab), tokenizer, text)
 */
export function perplexityOfNgram(ngram: NgramModel, tokenizer: Tokenizer, text: string): PerplexityResult {
  const seq = scoredSequence(tokenizer, text);
  let total = 0;
  for (let i = 1; i < seq.length; i++) total -= Math.log(ngram.prob(seq[i - 1], seq[i]));
  return result(total, seq.length - 1, text);
}
