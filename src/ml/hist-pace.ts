// When the second thread helps grow a tree (src/ml/hist-best-first.ts). Two threads in lockstep meet
// at every split, so a thread that loses its core (another process, a busy machine) stalls its partner
// at the next one: the grower times its trees both ways and keeps the faster.

/**
 * Whether the next tree grows with the helper: the faster way in recent trees, the other way tried
 * now and then. The trees are the same either way.
 * @example const pace = new HelperPace(); const use = pace.next(); const t0 = performance.now(); grow(use); pace.record(use, performance.now() - t0);
 */
export class HelperPace {
  /** Mean time of recent trees alone [0] and with the helper [1] (NaN: none yet). */
  private readonly ms = [NaN, NaN];
  /** Trees seen each way: the first is not timed (it pays for first touches: the helper's histograms, a new layout). */
  private readonly seen = [0, 0];
  private count = 0;

  /** always: every tree with the helper (tests of the shared growth). */
  constructor(private readonly always = false) {}

  next(): boolean {
    if (this.always) return true;
    const [alone, helped] = this.ms as [number, number];
    this.count++;
    // Each way is timed first: the helper, then alone.
    if (Number.isNaN(helped)) return true;
    if (Number.isNaN(alone)) return false;
    const best = !(alone < helped);
    return this.count % (best ? PROBE_ALONE : PROBE_HELPED) === 0 ? !best : best;
  }

  record(helped: boolean, ms: number): void {
    const k = helped ? 1 : 0;
    if (this.seen[k]!++ === 0) return;
    const m = this.ms[k]!;
    // A moving mean: trees of one fit take about as long as each other, and the machine's load drifts.
    this.ms[k] = Number.isNaN(m) ? ms : m + 0.25 * (ms - m);
  }
}
// While the helper is the faster way, its own trees show when it stops being so (the machine gets
// busy: their mean rises past the last trees alone), so trees alone are tried rarely: each costs what
// the helper saves on it (every 16th tree alone took 3-4% off the speedup of two threads). While
// alone is the faster way, only a tree with the helper shows that the helper pays again.
const PROBE_ALONE = 64;
const PROBE_HELPED = 16;
