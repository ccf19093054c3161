// BM25 ranking (Robertson & Zaragoza 2009) over word terms and CJK character unigrams and bigrams,
// so English and Chinese questions both find their passages without a word segmenter.

/** BM25's two constants: term-frequency saturation k1 and length normalisation b. */
export interface Bm25Params {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+/gu;
const WORD = /[\p{L}\p{N}]+/gu;
// Words so common in questions that they only add noise to a ranking ("what does X mean?" is about X).
const STOP = new Set('a an the of to in on at by for and or is are was were be been what which who whom whose when where why how does do did it its this that these those as with from mean means meaning'.split(' '));

/**
 * The index terms of a text: lower-case words (stop words dropped) and, for CJK runs, each
 * character and each pair of neighbouring characters.
 * @example bm25Terms('What is a dog?') // ['dog']; bm25Terms('静夜思') // ['静', '夜', '思', '静夜', '夜思']
 */
export function bm25Terms(text: string): string[] {
  const lower = text.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  for (const run of lower.match(CJK_RUN) ?? []) {
    const chars = Array.from(run);
    for (const c of chars) out.push(c);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  }
  for (const w of lower.replace(CJK_RUN, ' ').match(WORD) ?? []) if (!STOP.has(w)) out.push(w);
  return out;
}

/** A scored document: its position in the order documents were added. */
export interface Bm25Hit {
  doc: number;
  score: number;
}

/**
 * An in-memory BM25 index: add documents, then search.
 * @example const ix = new Bm25Index(); ix.add('cats purr'); ix.add('dogs bark'); ix.search('dog bark')[0].doc // 1
 */
export class Bm25Index {
  private readonly postings = new Map<string, number[]>(); // term -> [doc, tf, doc, tf, ...]
  private readonly lengths: number[] = [];
  private totalLength = 0;

  constructor(readonly params: Bm25Params = DEFAULT_BM25) {}

  get size(): number {
    return this.lengths.length;
  }

  /** Adds a document; returns its number. */
  add(text: string): number {
    return this.addTerms(bm25Terms(text));
  }

  /** Adds a document given as terms (for callers with their own analysis). */
  addTerms(terms: readonly string[]): number {
    const doc = this.lengths.length;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = this.postings.get(t);
      if (!p) { p = []; this.postings.set(t, p); }
      p.push(doc, n);
    }
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    return doc;
  }

  /** Robertson-Sparck Jones idf, floored at a small positive value (a term in most documents still counts a little). */
  idf(term: string): number {
    const df = (this.postings.get(term)?.length ?? 0) / 2;
    const N = this.lengths.length;
    return Math.max(1e-3, Math.log(1 + (N - df + 0.5) / (df + 0.5)));
  }

  /**
   * The `k` best documents for a query, best first (ties by document order).
   * @example ix.search('capital of Peru', 5)
   */
  search(query: string, k = 5): Bm25Hit[] {
    return this.searchTerms(bm25Terms(query), k);
  }

  searchTerms(queryTerms: readonly string[], k = 5): Bm25Hit[] {
    const { k1, b } = this.params;
    const avg = this.totalLength / Math.max(1, this.lengths.length) || 1;
    const scores = new Map<number, number>();
    for (const t of new Set(queryTerms)) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = this.idf(t);
      for (let i = 0; i < p.length; i += 2) {
        const doc = p[i];
        const tf = p[i + 1];
        const s = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.lengths[doc]) / avg));
        scores.set(doc, (scores.get(doc) ?? 0) + s);
      }
    }
    return [...scores].map(([doc, score]) => ({ doc, score }))
      .sort((x, y) => y.score - x.score || x.doc - y.doc)
      .slice(0, k);
  }
}
