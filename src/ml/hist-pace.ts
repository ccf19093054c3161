// When the second thread helps grow a tree (src/ml/hist-best-first.ts). Two threads in lockstep meet
// at every split, so a thread that loses its core (another process, a busy machine) stalls its partner
// at the next one: the grower times its trees both ways and keeps the faster.

/**
 * Whether the next tree grows with the helper: the faster way in recent trees, the other way tried
 * now and then. The trees are the same either way.
 * @example const pace = new HelperPace(); const use = pace.next(); const t0 = performance.now(); grow(use); pace.record(use, performance.now() - t0);
 */
export class HelperPace {
  /** The last WINDOW times of trees alone [0] and with the helper [1], oldest overwritten first. */
  private readonly recent = [new Float64Array(WINDOW), new Float64Array(WINDOW)];
  /**
   * Trees timed each way. Not timed: the helper's first tree (it pays for first touches of the
   * helper's histograms) and the grower's first tree if alone (this thread's). A later first tree
   * alone is timed, so the first timing costs one tree alone, not two, though it is this thread's
   * first pass over the second part's slots and lists (built by the helper): it may run a little
   * slow, which leans the first choice toward the helper, and later trees alone correct it.
   */
  private readonly timed = [0, 0];
  private readonly seen = [0, 0];
  /** A sorted copy of one way's recent times (typical() runs before every tree: it allocates nothing). */
  private readonly sorted = new Float64Array(WINDOW);
  private count = 0;

  /** always: every tree with the helper (tests of the shared growth). */
  constructor(private readonly always = false) {}

  next(): boolean {
    if (this.always) return true;
    this.count++;
    // Each way is timed first: the helper over a few trees, then alone.
    if (this.seen[1]! < WARM_HELPED) return true;
    if (this.timed[0]! < 1) return false;
    // Alone only when clearly faster than the helper's typical tree.
    const best = !(this.typical(0) < MARGIN * this.typical(1));
    return this.count % (best ? PROBE_ALONE : PROBE_HELPED) === 0 ? !best : best;
  }

  record(helped: boolean, ms: number): void {
    const k = helped ? 1 : 0;
    const first = helped ? this.seen[1] === 0 : this.seen[0]! + this.seen[1]! === 0;
    this.seen[k]!++;
    if (!first) this.recent[k]![this.timed[k]!++ % WINDOW] = ms;
  }

  /**
   * The median of the recent times one way: the first trees with the helper in a fit ran 4-5x slower
   * than the rest (its histograms new), and a collection pause on either thread stretches one tree;
   * a moving mean of them kept the grower alone for 57-92 trees of 100 in a third of Ames fits. A busy
   * machine slows every tree, and moves the median within a few.
   */
  private typical(k: number): number {
    const n = Math.min(this.timed[k]!, WINDOW);
    const { sorted } = this;
    const recent = this.recent[k]!;
    // Insertion sort of at most WINDOW times.
    for (let i = 0; i < n; i++) {
      const v = recent[i]!;
      let j = i;
      for (; j > 0 && sorted[j - 1]! > v; j--) sorted[j] = sorted[j - 1]!;
      sorted[j] = v;
    }
    return sorted[n >> 1]!;
  }
}

// While the helper is the faster way, its own trees show when it stops being so (the machine gets
// busy: their median rises past that of the last trees alone), so trees alone are tried rarely: each costs what
// the helper saves on it (every 16th tree alone took 3-4% off the speedup of two threads; at every
// 64th, a 100-tree fit had two, 1% of a credit or Ames fit). A busy machine slows the helper's trees,
// which its own median shows; the trees alone only refresh a baseline that load does not lower, so
// one per 128 trees (the first timing, in a fit of 100). While alone is the faster way, only a tree
// with the helper shows that the helper pays again.
const PROBE_ALONE = 128;
const PROBE_HELPED = 16;
/** Recent trees each way whose median is compared. */
const WINDOW = 8;
/** Trees with the helper before alone is timed (the first untimed). */
const WARM_HELPED = 6;
/** Alone is chosen when its median is under this share of the helper's. */
const MARGIN = 0.85;
