// The overfitting report of a curve: train/validation gap, where validation turns, and a verdict in plain words.

/** What a validation or learning curve says about fit. */
export type FitState = 'overfits' | 'underfits' | 'good-fit' | 'still-improving' | 'flat';

/** The report of {@link overfittingReport}. */
export interface OverfittingReport {
  /** Index of the best validation score. */
  bestIndex: number;
  /** Index of the simplest setting within the folds' noise of the best (values sorted by complexity). */
  simplestIndex: number;
  /** Train minus validation (or validation minus train for losses): positive means the model does better on data it saw. */
  gap: number[];
  /** Index after which validation falls while training keeps improving; null if it never turns. */
  turnIndex: number | null;
  state: FitState;
  /** One or two sentences a user can act on. */
  verdict: string;
}

/** Options of {@link overfittingReport}. */
export interface OverfittingOptions {
  /** The swept quantity, for the verdict ("maxDepth", "training rows"). */
  param: string;
  /** Scores (accuracy, R²): true; losses: false. */
  higherIsBetter: boolean;
  /** Standard deviation of each validation score across folds: differences inside it are noise. */
  validationStd?: readonly number[];
  /** Metric name for the verdict ("accuracy", "loss"). */
  metric?: string;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toFixed(4));
const fmtValue = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v));

/**
 * Reads a validation curve: the best setting, the gap, the turn where validation starts to fall
 * while training keeps improving (overfitting), and a verdict.
 * @example
 * overfittingReport([1, 2, 3, 4], [0.7, 0.8, 0.9, 1.0], [0.68, 0.78, 0.8, 0.74], { param: 'maxDepth', higherIsBetter: true }).verdict;
 * // 'overfits past maxDepth=3: ...'
 */
export function overfittingReport(
  values: readonly unknown[], train: readonly number[], validation: readonly number[], o: OverfittingOptions,
): OverfittingReport {
  const n = validation.length;
  if (n === 0 || train.length !== n || values.length !== n) throw new Error('overfittingReport: values, train and validation must have the same nonzero length');
  const sign = o.higherIsBetter ? 1 : -1;
  const tr = train.map((v) => sign * v); // higher is better from here on
  const va = validation.map((v) => sign * v);
  const gap = tr.map((t, i) => t - va[i]!);
  const spread = Math.max(...va) - Math.min(...va);
  const metric = o.metric ?? (o.higherIsBetter ? 'score' : 'loss');
  let peak = 0;
  for (let i = 1; i < n; i++) if (va[i]! > va[peak]!) peak = i;
  // Noise level: the folds' spread at the peak (halved: a mean of k folds is steadier than one), at least 0.1% of the scale.
  const tol = Math.max((o.validationStd?.[peak] ?? 0) / 2, 1e-3 * Math.max(1e-9, Math.abs(va[peak]!)), 1e-9);
  // Prefer the simplest setting whose validation is within noise of the peak (Occam; values are sorted by complexity).
  let best = peak;
  for (let i = 0; i < peak; i++) if (va[i]! >= va[peak]! - tol) { best = i; break; }
  const last = n - 1;
  const orig = (i: number): number => validation[i]!;
  const origTr = (i: number): number => train[i]!;
  const at = (i: number): string => `${o.param}=${fmtValue(values[i])}`;
  const choose = best === peak ? `Choose ${at(peak)}.` : `Choose ${at(peak)}, or ${at(best)}: simpler and within the folds' noise of it.`;
  let turnIndex: number | null = null;
  let state: FitState;
  let verdict: string;
  const falls = va[last]! < va[peak]! - Math.max(tol, 0.05 * spread);
  const trainKeepsImproving = tr[last]! >= tr[peak]! - tol;
  if (n >= 3 && peak < last && falls && trainKeepsImproving) {
    turnIndex = peak;
    state = 'overfits';
    verdict = `overfits past ${at(peak)}: validation ${metric} peaks at ${fmt(orig(peak))} there and falls to ${fmt(orig(last))} at ${at(last)}, `
      + `while training ${metric} goes from ${fmt(origTr(peak))} to ${fmt(origTr(last))}; the gap grows from ${fmt(gap[peak]!)} to ${fmt(gap[last]!)}. `
      + choose;
  } else if (spread <= tol * 2) {
    state = 'flat';
    verdict = `flat: validation ${metric} stays within ${fmt(spread)} over ${o.param} ${fmtValue(values[0])}..${fmtValue(values[last])} (noise level ${fmt(tol)}), so ${o.param} hardly matters here; the simplest setting ${at(0)} is enough.`;
  } else if (peak < last && va[last]! >= va[peak]! - tol) {
    // Risen, then level: the last setting is within noise of an earlier peak, so going further
    // is unlikely to help (calling this "still improving" sent users to larger values in vain).
    state = 'good-fit';
    verdict = `levels off from ${at(peak)}: validation ${metric} ${fmt(orig(peak))} there and ${fmt(orig(last))} at ${at(last)}, within the folds' noise (${fmt(tol)}); larger ${o.param} is unlikely to help. ${choose}`;
  } else if (peak === last) {
    state = 'still-improving';
    verdict = `still improving at ${at(last)}: validation ${metric} ${fmt(orig(0))} -> ${fmt(orig(last))} with a gap of ${fmt(gap[last]!)}; no overfitting in this range, try larger ${o.param}.`;
  } else {
    const big = Math.max(...gap.map(Math.abs)) > Math.max(0.1 * Math.abs(tr[peak]!), 4 * tol);
    state = big ? 'overfits' : 'good-fit';
    verdict = big
      ? `validation ${metric} is best at ${at(peak)} (${fmt(orig(peak))}) and the train/validation gap reaches ${fmt(Math.max(...gap))}: the larger settings overfit. ${choose}`
      : `good fit at ${at(best)}: validation ${metric} ${fmt(orig(best))}, gap ${fmt(gap[best]!)}.`;
  }
  if (peak > 0 && va[0]! < va[peak]! - Math.max(tol, 0.1 * spread) && state !== 'flat') {
    verdict += ` At ${at(0)} the model underfits (train ${fmt(origTr(0))}, validation ${fmt(orig(0))}: both worse).`;
  }
  return { bestIndex: peak, simplestIndex: best, gap, turnIndex, state, verdict };
}

/**
 * Reads a learning curve (scores against training size): is more data still helping, and is the
 * remaining error variance (a gap) or bias (both low)?
 * @example learningVerdict([100, 200, 400], [1, 0.98, 0.97], [0.7, 0.78, 0.84], { param: 'training rows', higherIsBetter: true });
 */
export function learningVerdict(
  sizes: readonly number[], train: readonly number[], validation: readonly number[], o: OverfittingOptions,
): { state: 'more-data-helps' | 'converged' | 'high-variance'; gap: number[]; verdict: string } {
  const n = sizes.length;
  const sign = o.higherIsBetter ? 1 : -1;
  const gap = train.map((t, i) => sign * (t - validation[i]!));
  const metric = o.metric ?? (o.higherIsBetter ? 'score' : 'loss');
  const last = n - 1;
  const tol = Math.max((o.validationStd?.[last] ?? 0) / 2, 1e-3 * Math.abs(validation[last]!));
  const rising = n >= 2 && sign * (validation[last]! - validation[last - 1]!) > tol;
  const scale = Math.max(1e-9, Math.abs(train[last]!));
  const wide = gap[last]! > Math.max(0.05 * scale, 2 * tol);
  const head = `validation ${metric} ${fmt(validation[0]!)} -> ${fmt(validation[last]!)} from ${sizes[0]} to ${sizes[last]} ${o.param}, gap ${fmt(gap[0]!)} -> ${fmt(gap[last]!)}`;
  if (rising) return { state: 'more-data-helps', gap, verdict: `${head}: validation still improves at the largest size, so more data would help${wide ? ' (the gap says the model still memorizes part of the data)' : ''}.` };
  if (wide) return { state: 'high-variance', gap, verdict: `${head}: validation has levelled off but a gap of ${fmt(gap[last]!)} remains: high variance; regularize or use a simpler model rather than wait for more data.` };
  return { state: 'converged', gap, verdict: `${head}: train and validation have met; more data will not help this model, only a more flexible one (bias).` };
}
