// Hugging Face tokenizer.json for byte-level BPE: parse with clear errors, write in the layout `tokenizers` saves.

/** A token matched in raw text before pre-tokenization (HF's `added_tokens` entry). */
export interface AddedToken {
  id: number;
  content: string;
  /** Special tokens (e.g. `<|endoftext|>`) can be skipped when decoding. */
  special: boolean;
  /** Swallow whitespace to the left / right of a match. */
  lstrip: boolean;
  rstrip: boolean;
  /** Match only where not inside a word. */
  singleWord: boolean;
  normalized: boolean;
}

/** Everything a byte-level BPE tokenizer is made of, independent of the file it came from. */
export interface TokenizerSpec {
  /** The model's vocabulary: byte-level token string -> id. */
  vocab: Map<string, number>;
  /** Merges in rank order, as pairs of vocabulary strings. */
  merges: Array<[string, string]>;
  addedTokens: AddedToken[];
  /** ByteLevel pre-tokenizer options. */
  addPrefixSpace: boolean;
  useRegex: boolean;
  /** BPE option: a pre-token that is itself in the vocabulary skips the merges (Llama-3 style). */
  ignoreMerges: boolean;
  unkToken: string | null;
}

/** The JSON object of a tokenizer.json (the parts moxing reads and writes). */
export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: Array<{
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }>;
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string | null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: Array<[string, string]> | string[];
  };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(source: string, message: string): never {
  throw new Error(`${source}: ${message}`);
}

/** The ByteLevel options inside a pre-tokenizer, accepting a Sequence whose only member is ByteLevel. */
function byteLevelOf(pre: unknown, source: string): Json {
  if (!isObject(pre)) fail(source, 'pre_tokenizer is missing; moxing reads byte-level BPE tokenizers (pre_tokenizer "ByteLevel")');
  if (pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) && pre.pretokenizers.length === 1) {
    return byteLevelOf(pre.pretokenizers[0], source);
  }
  if (pre.type !== 'ByteLevel') {
    fail(source, `pre_tokenizer "${String(pre.type)}" is not supported; moxing reads byte-level BPE tokenizers (pre_tokenizer "ByteLevel")`);
  }
  return pre;
}

/**
 * Reads the parsed JSON of a Hugging Face tokenizer.json (byte-level BPE; merges as "a b" strings or
 * as [a, b] pairs). Throws an Error naming `source` and the offending field on anything it cannot honour.
 *
 * @example
 * const spec = parseTokenizerJson(JSON.parse(readFileSync('tokenizer.json', 'utf8')), 'tokenizer.json');
 * spec.vocab.size; // 50257 for GPT-2
 */
export function parseTokenizerJson(json: unknown, source = 'tokenizer.json'): TokenizerSpec {
  if (!isObject(json)) fail(source, 'expected a JSON object (a Hugging Face tokenizer.json)');
  const model = json.model;
  if (!isObject(model)) {
    const hint = Object.values(json).every((v) => typeof v === 'number') ? ' (this looks like GPT-2\'s encoder.json: pass its folder, which also holds vocab.bpe)' : '';
    fail(source, `no "model" object${hint}`);
  }
  if (model.type !== undefined && model.type !== 'BPE') {
    fail(source, `model.type "${String(model.type)}" is not supported; moxing reads BPE models`);
  }
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) fail(source, 'model.dropout (BPE dropout) is not supported');
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[key] !== undefined && model[key] !== null && model[key] !== '') fail(source, `model.${key} is not supported in byte-level BPE`);
  }
  if (model.byte_fallback === true) fail(source, 'model.byte_fallback is not supported in byte-level BPE');
  if (json.normalizer !== undefined && json.normalizer !== null) {
    fail(source, `normalizer "${String(isObject(json.normalizer) ? json.normalizer.type : json.normalizer)}" is not supported (byte-level BPE needs none)`);
  }
  const byteLevel = byteLevelOf(json.pre_tokenizer, source);
  for (const key of ['post_processor', 'decoder'] as const) {
    const v = json[key];
    if (v !== undefined && v !== null && !(isObject(v) && v.type === 'ByteLevel')) {
      fail(source, `${key} "${String(isObject(v) ? v.type : v)}" is not supported (expected "ByteLevel" or null)`);
    }
  }

  if (!isObject(model.vocab)) fail(source, 'model.vocab must be an object of token -> id');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) fail(source, `model.vocab[${JSON.stringify(token)}] must be a non-negative integer, got ${JSON.stringify(id)}`);
    vocab.set(token, id);
  }
  if (!Array.isArray(model.merges)) fail(source, 'model.merges must be an array');
  const merges: Array<[string, string]> = [];
  model.merges.forEach((m: unknown, i: number) => {
    let pair: [string, string] | null = null;
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2) pair = [parts[0]!, parts[1]!];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      pair = [m[0], m[1]];
    }
    if (pair === null) fail(source, `model.merges[${i}] must be "a b" or ["a", "b"], got ${JSON.stringify(m)}`);
    for (const t of [pair[0], pair[1], pair[0] + pair[1]]) {
      if (!vocab.has(t)) fail(source, `model.merges[${i}] ${JSON.stringify(pair)}: ${JSON.stringify(t)} is not in model.vocab`);
    }
    merges.push(pair);
  });

  const addedTokens: AddedToken[] = [];
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail(source, 'added_tokens must be an array');
  added.forEach((t: unknown, i: number) => {
    if (!isObject(t) || typeof t.content !== 'string' || t.content === '' || typeof t.id !== 'number' || !Number.isInteger(t.id) || t.id < 0) {
      fail(source, `added_tokens[${i}] needs a non-empty string "content" and a non-negative integer "id"`);
    }
    addedTokens.push({
      id: t.id,
      content: t.content,
      special: t.special === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
      singleWord: t.single_word === true,
      normalized: t.normalized === true,
    });
  });
  const unk = model.unk_token;
  return {
    vocab,
    merges,
    addedTokens,
    addPrefixSpace: byteLevel.add_prefix_space === true,
    useRegex: byteLevel.use_regex !== false,
    ignoreMerges: model.ignore_merges === true,
    unkToken: typeof unk === 'string' ? unk : null,
  };
}

/** Options for {@link toTokenizerJson}. */
export interface WriteOptions {
  /** "pairs" ([a, b], tokenizers >= 0.20, the default) or "strings" ("a b", older files). */
  merges?: 'pairs' | 'strings';
}

/**
 * The tokenizer.json object for a spec, in the layout Hugging Face `tokenizers` saves for byte-level BPE.
 *
 * @example
 * const json = toTokenizerJson(spec);
 * json.model.merges[0]; // ['Ġ', 't']
 */
export function toTokenizerJson(spec: TokenizerSpec, options: WriteOptions = {}): TokenizerJson {
  const byteLevel = (prefix: boolean, trim: boolean) => ({
    type: 'ByteLevel' as const,
    add_prefix_space: prefix,
    trim_offsets: trim,
    use_regex: spec.useRegex,
  });
  const vocab: Record<string, number> = {};
  for (const [t, id] of [...spec.vocab].sort((x, y) => x[1] - y[1])) vocab[t] = id;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...spec.addedTokens]
      .sort((a, b) => a.id - b.id)
      .map((t) => ({
        id: t.id,
        content: t.content,
        single_word: t.singleWord,
        lstrip: t.lstrip,
        rstrip: t.rstrip,
        normalized: t.normalized,
        special: t.special,
      })),
    normalizer: null,
    pre_tokenizer: byteLevel(spec.addPrefixSpace, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: spec.unkToken,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: spec.ignoreMerges,
      vocab,
      merges: options.merges === 'strings' ? spec.merges.map(([a, b]) => `${a} ${b}`) : spec.merges.map(([a, b]): [string, string] => [a, b]),
    },
  };
}

/**
 * tokenizer.json text with the vocabulary in id order (a plain JSON.stringify would move integer-like
 * tokens such as "0" to the front), one vocabulary entry and one merge per line.
 *
 * @example
 * writeFileSync('tokenizer.json', tokenizerJsonText(toTokenizerJson(spec)));
 */
export function tokenizerJsonText(json: TokenizerJson): string {
  const { model, ...rest } = json;
  const head = JSON.stringify(rest, null, 2).slice(0, -2); // without the closing "\n}"
  const { vocab, merges, ...modelRest } = model;
  const modelHead = JSON.stringify(modelRest, null, 2).slice(0, -2).replace(/\n/g, '\n  ');
  const vocabLines = Object.keys(vocab)
    .sort((a, b) => vocab[a]! - vocab[b]!)
    .map((t) => `      ${JSON.stringify(t)}: ${vocab[t]}`);
  const mergeLines = (merges as Array<string | [string, string]>).map((m) => `      ${JSON.stringify(m)}`);
  return (
    `${head},\n  "model": ${modelHead},\n` +
    `    "vocab": {\n${vocabLines.join(',\n')}\n    },\n` +
    `    "merges": [\n${mergeLines.join(',\n')}\n    ]\n  }\n}\n`
  );
}
