// Bag-of-words text features: CountVectorizer (token or character n-gram counts) and TfidfVectorizer (Salton & Buckley 1988 weighting).

import { Transformer } from '../base.js';
import type { Matrix } from '../matrix.js';

/** Parameters of {@link CountVectorizer}. */
export interface CountVectorizerParams {
  /** 'word': tokens of 2+ letters or digits; 'char': character n-grams (suits Chinese); 'char_wb': char n-grams inside words. */
  analyzer: 'word' | 'char' | 'char_wb';
  ngramRange: [number, number];
  lowercase: boolean;
  /** Minimum document frequency: a count (>= 1) or a fraction (< 1). */
  minDf: number;
  /** Maximum document frequency: a fraction (<= 1) or a count (> 1). */
  maxDf: number;
  /** Keep only the most frequent terms (null: all). */
  maxFeatures: number | null;
  /** Presence (1) instead of counts. */
  binary: boolean;
}

/** Learned state: the sorted vocabulary (and idf weights for tf-idf). */
export interface CountVectorizerState {
  vocabulary: string[];
  idf: Float64Array | null;
}

const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_]+/gu;

/**
 * The terms of one document under the given analyzer (before vocabulary filtering).
 * @example analyze('床前明月光', { analyzer: 'char', ngramRange: [1, 2], lowercase: true }); // 床, 前, ..., 床前, 前明, ...
 */
export function analyze(doc: string, p: Pick<CountVectorizerParams, 'analyzer' | 'ngramRange' | 'lowercase'>): string[] {
  if (typeof doc !== 'string') throw new TypeError(`vectorizer: each document must be a string, got ${doc === null ? 'null' : typeof doc}`);
  const [nMin, nMax] = p.ngramRange;
  if (!(Number.isInteger(nMin) && Number.isInteger(nMax) && nMin >= 1 && nMax >= nMin)) throw new RangeError(`vectorizer: ngramRange must be [min, max] whole numbers with 1 <= min <= max, got [${p.ngramRange.join(', ')}]`);
  const text = p.lowercase ? doc.toLowerCase() : doc;
  const [lo, hi] = p.ngramRange;
  const out: string[] = [];
  if (p.analyzer === 'word') {
    const toks = text.match(WORD) ?? [];
    for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= toks.length; i++) out.push(toks.slice(i, i + n).join(' '));
    return out;
  }
  const charNgrams = (s: string): void => {
    const chars = Array.from(s); // code points, so CJK and emoji count as one character
    for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  };
  const squeezed = text.replace(/\s+/g, ' ');
  if (p.analyzer === 'char') charNgrams(squeezed);
  else for (const w of squeezed.split(' ').filter((x) => x.length > 0)) charNgrams(` ${w} `);
  return out;
}

function countDocs(docs: readonly string[], p: CountVectorizerParams): { vocab: string[]; df: Map<string, number>; tf: Map<string, number> } {
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  for (const d of docs) {
    const seen = new Set<string>();
    for (const t of analyze(d, p)) { tf.set(t, (tf.get(t) ?? 0) + 1); seen.add(t); }
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const n = docs.length;
  const minDf = p.minDf < 1 ? p.minDf * n : p.minDf;
  const maxDf = p.maxDf <= 1 ? p.maxDf * n : p.maxDf;
  let vocab = [...df.keys()].filter((t) => df.get(t)! >= minDf && df.get(t)! <= maxDf);
  if (p.maxFeatures !== null && vocab.length > p.maxFeatures) {
    vocab = vocab.sort((a, b) => tf.get(b)! - tf.get(a)! || (a < b ? -1 : 1)).slice(0, p.maxFeatures);
  }
  vocab.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { vocab, df, tf };
}

function countMatrix(docs: readonly string[], vocabulary: readonly string[], p: CountVectorizerParams): Matrix {
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const V = vocabulary.length;
  const out = new Float64Array(docs.length * V);
  docs.forEach((d, i) => {
    for (const t of analyze(d, p)) {
      const k = index.get(t);
      if (k !== undefined) out[i * V + k] = p.binary ? 1 : out[i * V + k]! + 1;
    }
  });
  return { data: out, rows: docs.length, cols: V };
}

const COUNT_DEFAULTS: CountVectorizerParams = { analyzer: 'word', ngramRange: [1, 1], lowercase: true, minDf: 1, maxDf: 1, maxFeatures: null, binary: false };

/**
 * Term counts per document over a vocabulary learned in fit (columns in sorted term order).
 * @example new CountVectorizer({ analyzer: 'char', ngramRange: [1, 2] }).fitTransform(['明月', '月光']);
 */
export class CountVectorizer extends Transformer<CountVectorizerParams, CountVectorizerState, readonly string[]> {
  readonly kind: string = 'CountVectorizer';
  constructor(params: Partial<CountVectorizerParams> = {}) {
    super(COUNT_DEFAULTS, params);
  }
  fit(docs: readonly string[]): this {
    const { vocab } = countDocs(docs, this.params);
    if (vocab.length === 0) throw new Error(`${this.kind}: empty vocabulary (documents have no terms, or minDf/maxDf removed all)`);
    return this.setState({ vocabulary: vocab, idf: null });
  }
  transform(docs: readonly string[]): Matrix {
    return countMatrix(docs, this.state.vocabulary, this.params);
  }
  /** The vocabulary, in column order. */
  featureNames(): string[] {
    return this.state.vocabulary;
  }
  parameterCount(): number {
    return this.state.vocabulary.length;
  }
}

/** Parameters of {@link TfidfVectorizer}. */
export interface TfidfVectorizerParams extends CountVectorizerParams {
  /** Row normalisation of the output. */
  norm: 'l2' | 'l1' | null;
  /** idf = ln((1 + n) / (1 + df)) + 1 when true, ln(n / df) + 1 otherwise. */
  smoothIdf: boolean;
  /** tf -> 1 + ln(tf). */
  sublinearTf: boolean;
}

/**
 * Counts reweighted by inverse document frequency and normalised per row, as scikit-learn.
 * @example new TfidfVectorizer().fitTransform(['the cat', 'the dog']); // 'the' weighs less than 'cat'
 */
export class TfidfVectorizer extends Transformer<TfidfVectorizerParams, CountVectorizerState, readonly string[]> {
  readonly kind = 'TfidfVectorizer';
  constructor(params: Partial<TfidfVectorizerParams> = {}) {
    super({ ...COUNT_DEFAULTS, norm: 'l2', smoothIdf: true, sublinearTf: false }, params);
  }
  fit(docs: readonly string[]): this {
    const { vocab, df } = countDocs(docs, this.params);
    if (vocab.length === 0) throw new Error('TfidfVectorizer: empty vocabulary');
    const n = docs.length;
    const s = this.params.smoothIdf ? 1 : 0;
    const idf = Float64Array.from(vocab, (t) => Math.log((n + s) / (df.get(t)! + s)) + 1);
    return this.setState({ vocabulary: vocab, idf });
  }
  transform(docs: readonly string[]): Matrix {
    const M = countMatrix(docs, this.state.vocabulary, this.params);
    const idf = this.state.idf!;
    const V = M.cols;
    for (let i = 0; i < M.rows; i++) {
      let norm = 0;
      for (let k = 0; k < V; k++) {
        let v = M.data[i * V + k]!;
        if (v === 0) continue;
        if (this.params.sublinearTf) v = 1 + Math.log(v);
        v *= idf[k]!;
        M.data[i * V + k] = v;
        norm += this.params.norm === 'l1' ? Math.abs(v) : v * v;
      }
      if (this.params.norm === 'l2') norm = Math.sqrt(norm);
      if (this.params.norm !== null && norm > 0) for (let k = 0; k < V; k++) M.data[i * V + k] /= norm;
    }
    return M;
  }
  featureNames(): string[] {
    return this.state.vocabulary;
  }
  parameterCount(): number {
    return 2 * this.state.vocabulary.length;
  }
}
