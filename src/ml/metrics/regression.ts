// Regression metrics: mean squared error, its root, mean absolute error, R² (coefficient of determination).

function check(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new Error(`metrics: ${yTrue.length} true values but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new Error('metrics: no samples');
  for (const [name, a] of [['true values', yTrue], ['predictions', yPred]] as const) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new Error(`metrics: the ${name} have ${a[i]} at index ${i}`);
  }
  return yTrue.length;
}

/**
 * Mean squared error.
 * @example meanSquaredError([1, 2], [1, 4]); // (0 + 4) / 2 = 2
 */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = check(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < n; i++) { const d = yTrue[i]! - yPred[i]!; s += d * d; }
  return s / n;
}

/**
 * Root mean squared error.
 * @example rootMeanSquaredError([0, 0], [3, 3]); // 3
 */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/**
 * Mean absolute error.
 * @example meanAbsoluteError([1, 2], [2, 4]); // (1 + 2) / 2 = 1.5
 */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = check(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / n;
}

/**
 * R² = 1 - SS_res / SS_tot (1 for perfect predictions, 0 for predicting the mean; as scikit-learn,
 * 1 when y is constant and predicted exactly, else 0).
 * @example r2Score([1, 2, 3], [1, 2, 3]); // 1
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = check(yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i]! - yPred[i]!;
    const t = yTrue[i]! - mean;
    ssRes += r * r;
    ssTot += t * t;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
