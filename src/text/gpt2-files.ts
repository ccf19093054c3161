// GPT-2's original tokenizer files: encoder.json (token -> id) and vocab.bpe (one merge per line).

import type { TokenizerSpec } from './tokenizer-json.js';

/** GPT-2's end-of-text marker, id 50256 in its vocabulary. */
export const END_OF_TEXT = '<|endoftext|>';

/**
 * Builds a spec from the texts of encoder.json and vocab.bpe. Tokens of the form `<|...|>` become
 * special added tokens (GPT-2 has one: `<|endoftext|>`).
 *
 * @example
 * const spec = parseGpt2Files(readFileSync('encoder.json', 'utf8'), readFileSync('vocab.bpe', 'utf8'));
 * spec.merges.length; // 50000
 */
export function parseGpt2Files(encoderJson: string, vocabBpe: string, source = 'encoder.json'): TokenizerSpec {
  let encoder: unknown;
  try {
    encoder = JSON.parse(encoderJson);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof encoder !== 'object' || encoder === null || Array.isArray(encoder)) {
    throw new Error(`${source}: expected a JSON object of token -> id`);
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(encoder)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(`${source}: id of ${JSON.stringify(token)} must be a non-negative integer, got ${JSON.stringify(id)}`);
    }
    vocab.set(token, id);
  }
  const merges: Array<[string, string]> = [];
  const lines = vocabBpe.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2) throw new Error(`vocab.bpe line ${i + 1}: expected "a b", got ${JSON.stringify(line)}`);
    const [a, b] = parts as [string, string];
    for (const t of [a, b, a + b]) {
      if (!vocab.has(t)) throw new Error(`vocab.bpe line ${i + 1}: ${JSON.stringify(t)} is not in ${source}`);
    }
    merges.push([a, b]);
  });
  const addedTokens = [...vocab]
    .filter(([t]) => t.startsWith('<|') && t.endsWith('|>') && t.length > 4)
    .map(([content, id]) => ({ id, content, special: true, lstrip: false, rstrip: false, singleWord: false, normalized: false }));
  return { vocab, merges, addedTokens, addPrefixSpace: false, useRegex: true, ignoreMerges: false, unkToken: null };
}
