// Dense row-major float64 matrices: the one input type of every classical estimator.

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** What estimators accept as X: a {@link Matrix} or an array of equal-length rows. */
export type MatrixLike = Matrix | readonly (readonly number[])[];

/** What estimators accept as y. */
export type VectorLike = ArrayLike<number>;

/**
 * A new matrix (zeros unless `data` is given; `data` is used as is, not copied).
 * @example const X = matrix(2, 3); X.data[1 * 3 + 2] = 5; // X[1][2] = 5
 */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`matrix: data has ${d.length} values, expected ${rows} x ${cols}`);
  return { data: d, rows, cols };
}

/** True for a {@link Matrix} (as opposed to an array of rows). */
export function isMatrix(X: unknown): X is Matrix {
  return typeof X === 'object' && X !== null && (X as Matrix).data instanceof Float64Array
    && typeof (X as Matrix).rows === 'number' && typeof (X as Matrix).cols === 'number';
}

/**
 * Converts rows to a {@link Matrix} (a Matrix passes through unchanged) and checks its shape.
 * @example toMatrix([[1, 2], [3, 4]]).data; // Float64Array [1, 2, 3, 4]
 */
export function toMatrix(X: MatrixLike, opts: { allowNaN?: boolean; name?: string } = {}): Matrix {
  const name = opts.name ?? 'X';
  let M: Matrix;
  if (isMatrix(X)) M = X;
  else {
    if (!Array.isArray(X)) throw new TypeError(`${name} must be a Matrix or an array of rows`);
    const rows = X.length;
    const cols = rows > 0 ? X[0]!.length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = X[i]!;
      if (r.length !== cols) throw new Error(`${name}: row ${i} has ${r.length} values, expected ${cols}`);
      for (let j = 0; j < cols; j++) {
        const v = r[j];
        // null would become 0 and '1' would become 1: neither is a number the user gave.
        if (typeof v !== 'number') throw new Error(`${name}: row ${i}, column ${j} is ${v === null ? 'null' : typeof v === 'string' ? `the string '${v}'` : typeof v}: ${name} must hold numbers (encode categories first: OneHotEncoder, ColumnTransformer)`);
        data[i * cols + j] = v;
      }
    }
    M = { data, rows, cols };
  }
  if (M.rows === 0) throw new Error(`${name} has no rows`);
  if (!(Number.isInteger(M.rows) && Number.isInteger(M.cols) && M.rows > 0 && M.cols >= 0)) throw new Error(`${name}: rows ${M.rows} and cols ${M.cols} must be whole numbers`);
  if (M.cols === 0) throw new Error(`${name} has no columns (every row is empty)`);
  if (M.data.length !== M.rows * M.cols) throw new Error(`${name}: data holds ${M.data.length} values, but rows x cols is ${M.rows} x ${M.cols} = ${M.rows * M.cols}`);
  if (!opts.allowNaN && !allFinite(M.data)) {
    const d = M.data;
    for (let k = 0; k < d.length; k++) {
      if (!Number.isFinite(d[k]!)) {
        const i = Math.floor(k / M.cols);
        throw new Error(`${name} has a missing or infinite value at row ${i}, column ${k - i * M.cols}: impute it first (SimpleImputer)`);
      }
    }
  }
  return M;
}

/**
 * True when every value is finite. The fast path is NumPy's (and scikit-learn's check_array's): the
 * plain sum is finite only when every value is (a NaN or an infinity makes it NaN or infinite), on
 * eight independent accumulators, paired, so no add waits on the one before (x * 0 summed on four
 * was 1.45x slower: a multiply per value). A sum that overflows from finite values falls back to a
 * test of each value, so the answer is exact either way.
 * @example allFinite(Float64Array.of(1, NaN)); // false
 */
export function allFinite(d: Float64Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = d.length;
  let k = 0;
  for (; k < (n & 7); k++) s0 += d[k]!;
  for (; k < n; k += 8) {
    s0 += d[k]! + d[k + 4]!;
    s1 += d[k + 1]! + d[k + 5]!;
    s2 += d[k + 2]! + d[k + 6]!;
    s3 += d[k + 3]! + d[k + 7]!;
  }
  return Number.isFinite(s0 + s1 + s2 + s3) || everyFinite(d);
}

function everyFinite(d: Float64Array): boolean {
  for (let k = 0; k < d.length; k++) if (!Number.isFinite(d[k]!)) return false;
  return true;
}
// Run at load on short arrays (finite, overflowing, NaN), so every line has type feedback before the
// first long call: that call compiles the loop mid-run (OSR), and V8 kept re-entering that code and
// discarding it at the lines after the loop, which had never run (a deopt on every call, 5x the time
// on digits' kNN fit).
for (const v of [1, Number.MAX_VALUE, NaN]) allFinite(new Float64Array(9).fill(v));

/**
 * Converts y to a Float64Array and checks it matches `n` rows and has no missing values.
 * @example toVector([1, 2, 3], 3); // Float64Array [1, 2, 3]
 */
export function toVector(y: VectorLike, n: number, name = 'y'): Float64Array {
  if (y === null || y === undefined || typeof (y as ArrayLike<number>).length !== 'number') throw new Error(`${name} must be an array of numbers, got ${y === null ? 'null' : typeof y}`);
  if (!ArrayBuffer.isView(y)) {
    // A plain array: Float64Array.from would turn null into 0 and '1' into 1, and a class name into NaN.
    const a = y as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) {
      const raw = a[i];
      if (typeof raw === 'number') continue;
      if (typeof raw === 'string') throw new Error(`${name}[${i}] is the string '${raw}': ${name} must be numbers (encode class names with LabelEncoder first)`);
      throw new Error(`${name}[${i}] is ${raw === null ? 'null' : raw === undefined ? 'undefined' : `a ${typeof raw}`}: ${name} must be numbers`);
    }
  }
  const v = y instanceof Float64Array ? y : Float64Array.from(y as ArrayLike<number>);
  if (v.length !== n) throw new Error(`${name} has ${v.length} values but X has ${n} rows`);
  if (allFinite(v)) return v;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new Error(`${name} has a missing or infinite value at index ${i}`);
  }
  return v;
}

/**
 * The rows of X at `idx`, copied into a new matrix.
 * @example takeRows(X, [0, 2]); // rows 0 and 2
 */
export function takeRows(X: Matrix, idx: ArrayLike<number>): Matrix {
  const { cols } = X;
  const out = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) out.set(X.data.subarray(idx[r]! * cols, idx[r]! * cols + cols), r * cols);
  return { data: out, rows: idx.length, cols };
}

/**
 * The entries of a vector at `idx`.
 * @example take(Float64Array.of(5, 6, 7), [2, 0]); // [7, 5]
 */
export function take(y: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let r = 0; r < idx.length; r++) out[r] = y[idx[r]!]!;
  return out;
}

/**
 * Converts a matrix back to an array of rows (for display and JSON).
 * @example toRows(matrix(1, 2, Float64Array.of(1, 2))); // [[1, 2]]
 */
export function toRows(X: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.rows; i++) out.push(Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
  return out;
}

/**
 * Horizontally concatenates matrices with the same number of rows.
 * @example hstack([A, B]).cols === A.cols + B.cols;
 */
export function hstack(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) throw new Error('hstack: no matrices');
  const rows = parts[0]!.rows;
  const cols = parts.reduce((s, p) => s + p.cols, 0);
  const out = new Float64Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    if (p.rows !== rows) throw new Error(`hstack: ${p.rows} rows, expected ${rows}`);
    for (let i = 0; i < rows; i++) out.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), i * cols + off);
    off += p.cols;
  }
  return { data: out, rows, cols };
}

/** Checks that X has the number of columns the model was fitted on. */
export function checkCols(X: Matrix, expected: number): void {
  if (X.cols !== expected) throw new Error(`X has ${X.cols} features, but the model was fitted with ${expected}`);
}
