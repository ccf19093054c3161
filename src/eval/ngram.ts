// Unigram and bigram language models over token ids: the baselines a GPT's perplexity is read
// against. Unigram with add-one smoothing; bigram by interpolated absolute discounting (Ney et al.
// 1994) backing off to the unigram.

/**
 * A count-based token model.
 * @example const lm = NgramModel.train(ids, 2, 4096); lm.prob(prev, next)
 */
export class NgramModel {
  private constructor(
    readonly order: 1 | 2,
    readonly vocabSize: number,
    private readonly unigram: Float64Array,
    private readonly total: number,
    private readonly bigram: Map<number, Map<number, number>>,
    private readonly discount: number,
  ) {
    for (const [prev, row] of bigram) {
      let n = 0;
      for (const c of row.values()) n += c;
      this.rowTotals.set(prev, n);
    }
  }

  private readonly rowTotals = new Map<number, number>();

  /** Counts n-grams of `ids` (documents joined by the caller with an end-of-text id). */
  static train(ids: ArrayLike<number>, order: 1 | 2, vocabSize: number, discount = 0.75): NgramModel {
    const uni = new Float64Array(vocabSize);
    const bi = new Map<number, Map<number, number>>();
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i];
      if (!(t >= 0 && t < vocabSize)) throw new Error(`NgramModel.train: token ${t} at ${i} is outside the vocabulary of ${vocabSize}`);
      uni[t]++;
      if (order === 2 && i > 0) {
        let row = bi.get(ids[i - 1]);
        if (!row) { row = new Map(); bi.set(ids[i - 1], row); }
        row.set(t, (row.get(t) ?? 0) + 1);
      }
    }
    return new NgramModel(order, vocabSize, uni, ids.length, bi, discount);
  }

  /** p(next) with add-one smoothing. */
  unigramProb(next: number): number {
    return (this.unigram[next] + 1) / (this.total + this.vocabSize);
  }

  /** p(next | prev): the bigram estimate, or the unigram one for a unigram model or an unseen `prev`. */
  prob(prev: number, next: number): number {
    const pu = this.unigramProb(next);
    if (this.order === 1) return pu;
    const row = this.bigram.get(prev);
    if (!row) return pu;
    const n = this.rowTotals.get(prev)!;
    const c = row.get(next) ?? 0;
    // Mass taken from seen pairs (d per distinct follower) goes to the unigram distribution.
    return Math.max(c - this.discount, 0) / n + ((this.discount * row.size) / n) * pu;
  }
}
