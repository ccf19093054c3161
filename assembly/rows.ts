// Row-wise kernels over (rows, cols) matrices: softmax, layer norm (+ backward), cross-entropy.

import { expv, hsum, hmax } from './math';

/** Max of a row; a row of -Inf gives 0 so exp stays finite (as the reference). */
@inline
function rowMax(x: usize, cols: i32): f32 {
  let mv = f32x4.splat(-Infinity);
  const c4 = cols & ~3;
  let j = 0;
  for (; j < c4; j += 4) mv = f32x4.pmax(mv, v128.load(x + ((<usize>j) << 2)));
  let m = hmax(mv);
  for (; j < cols; j++) m = max(m, load<f32>(x + ((<usize>j) << 2)));
  return m == -Infinity ? 0 : m;
}

/** Writes e^(x - m) to out (out may alias x) and returns the row sum. */
@inline
function expShiftSum(x: usize, out: usize, cols: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  let sv = f32x4.splat(0);
  const c4 = cols & ~3;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = (<usize>j) << 2;
    const e = expv(f32x4.sub(v128.load(x + o), mv));
    v128.store(out + o, e);
    sv = f32x4.add(sv, e);
  }
  let s = hsum(sv);
  for (; j < cols; j++) {
    const o = (<usize>j) << 2;
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + o) - m)), 0);
    store<f32>(out + o, e);
    s += e;
  }
  return s;
}

@inline
function scaleRow(out: usize, cols: i32, k: f32): void {
  const kv = f32x4.splat(k);
  const c4 = cols & ~3;
  let j = 0;
  for (; j < c4; j += 4) {
    const o = (<usize>j) << 2;
    v128.store(out + o, f32x4.mul(v128.load(out + o), kv));
  }
  for (; j < cols; j++) {
    const o = (<usize>j) << 2;
    store<f32>(out + o, load<f32>(out + o) * k);
  }
}

/** Softmax (or log-softmax) of each row of a (rows, cols) matrix. */
export function softmax(x: usize, out: usize, rows: i32, cols: i32, log: bool): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const or = out + <usize>r * rowBytes;
    const m = rowMax(xr, cols);
    if (log) {
      // Sum first into out, then overwrite with x - lse (out may alias x, so read x again per lane).
      let sv = f32x4.splat(0);
      const mv = f32x4.splat(m);
      const c4 = cols & ~3;
      let j = 0;
      for (; j < c4; j += 4) sv = f32x4.add(sv, expv(f32x4.sub(v128.load(xr + ((<usize>j) << 2)), mv)));
      let s = hsum(sv);
      for (; j < cols; j++) s += f32x4.extract_lane(expv(f32x4.splat(load<f32>(xr + ((<usize>j) << 2)) - m)), 0);
      const lse = f32x4.splat(m + Mathf.log(s));
      for (j = 0; j < c4; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(or + o, f32x4.sub(v128.load(xr + o), lse));
      }
      for (; j < cols; j++) {
        const o = (<usize>j) << 2;
        store<f32>(or + o, load<f32>(xr + o) - f32x4.extract_lane(lse, 0));
      }
    } else {
      const s = expShiftSum(xr, or, cols, m);
      scaleRow(or, cols, 1 / s);
    }
  }
}

/** Layer norm of each row; weight/bias pointers may be 0 (absent). Writes mean and 1/std per row. */
export function layerNorm(
  x: usize, weight: usize, bias: usize, out: usize, mean: usize, rstd: usize,
  rows: i32, cols: i32, eps: f32,
): void {
  const rowBytes = (<usize>cols) << 2;
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const or = out + <usize>r * rowBytes;
    let sv = f32x4.splat(0);
    let j = 0;
    for (; j < c4; j += 4) sv = f32x4.add(sv, v128.load(xr + ((<usize>j) << 2)));
    let s = hsum(sv);
    for (; j < cols; j++) s += load<f32>(xr + ((<usize>j) << 2));
    const m = s / <f32>cols;
    const mv = f32x4.splat(m);
    let qv = f32x4.splat(0);
    for (j = 0; j < c4; j += 4) {
      const d = f32x4.sub(v128.load(xr + ((<usize>j) << 2)), mv);
      qv = f32x4.add(qv, f32x4.mul(d, d));
    }
    let q = hsum(qv);
    for (; j < cols; j++) {
      const d = load<f32>(xr + ((<usize>j) << 2)) - m;
      q += d * d;
    }
    // Biased variance, as PyTorch's LayerNorm.
    const rs = <f32>(1 / Math.sqrt(<f64>(q / <f32>cols) + <f64>eps));
    store<f32>(mean + ((<usize>r) << 2), m);
    store<f32>(rstd + ((<usize>r) << 2), rs);
    const rv = f32x4.splat(rs);
    for (j = 0; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      let y = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      if (weight) y = f32x4.mul(y, v128.load(weight + o));
      if (bias) y = f32x4.add(y, v128.load(bias + o));
      v128.store(or + o, y);
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      let y = (load<f32>(xr + o) - m) * rs;
      if (weight) y *= load<f32>(weight + o);
      if (bias) y += load<f32>(bias + o);
      store<f32>(or + o, y);
    }
  }
}

/**
 * Layer norm backward over rows: dx overwritten, dWeight and dBias (pointers may be 0) accumulated.
 * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * weight.
 */
export function layerNormBackward(
  x: usize, weight: usize, mean: usize, rstd: usize, dy: usize, dx: usize,
  dWeight: usize, dBias: usize, rows: i32, cols: i32,
): void {
  const rowBytes = (<usize>cols) << 2;
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const dyr = dy + <usize>r * rowBytes;
    const dxr = dx + <usize>r * rowBytes;
    const m = load<f32>(mean + ((<usize>r) << 2));
    const rs = load<f32>(rstd + ((<usize>r) << 2));
    const mv = f32x4.splat(m), rv = f32x4.splat(rs);
    let sdv = f32x4.splat(0), sdxv = f32x4.splat(0);
    let j = 0;
    for (; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      const g = v128.load(dyr + o);
      const d = weight ? f32x4.mul(g, v128.load(weight + o)) : g;
      sdv = f32x4.add(sdv, d);
      sdxv = f32x4.add(sdxv, f32x4.mul(d, xhat));
      if (dWeight) v128.store(dWeight + o, f32x4.add(v128.load(dWeight + o), f32x4.mul(g, xhat)));
      if (dBias) v128.store(dBias + o, f32x4.add(v128.load(dBias + o), g));
    }
    let sd = hsum(sdv), sdx = hsum(sdxv);
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      const xhat = (load<f32>(xr + o) - m) * rs;
      const g = load<f32>(dyr + o);
      const d = weight ? g * load<f32>(weight + o) : g;
      sd += d;
      sdx += d * xhat;
      if (dWeight) store<f32>(dWeight + o, load<f32>(dWeight + o) + g * xhat);
      if (dBias) store<f32>(dBias + o, load<f32>(dBias + o) + g);
    }
    sd /= <f32>cols;
    sdx /= <f32>cols;
    const sdv2 = f32x4.splat(sd), sdxv2 = f32x4.splat(sdx);
    for (j = 0; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      const g = v128.load(dyr + o);
      const d = weight ? f32x4.mul(g, v128.load(weight + o)) : g;
      v128.store(dxr + o, f32x4.mul(rv, f32x4.sub(f32x4.sub(d, sdv2), f32x4.mul(xhat, sdxv2))));
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      const xhat = (load<f32>(xr + o) - m) * rs;
      const g = load<f32>(dyr + o);
      const d = weight ? g * load<f32>(weight + o) : g;
      store<f32>(dxr + o, rs * (d - sd - xhat * sdx));
    }
  }
}

/**
 * Cross-entropy of each row of logits against an int32 target; rows whose target is ignoreIndex
 * get loss 0 and zero probabilities. Writes per-row losses and the softmax probabilities.
 */
/**
 * Backward of `crossEntropy`: dx = (probs - onehot(target)) * rowScale[r] per row; ignored rows get 0.
 * rowScale is d loss / d loss_r (1/count for a mean, 1 for a sum, the upstream gradient for 'none').
 */
export function crossEntropyBackward(
  probs: usize, targets: usize, rowScale: usize, dx: usize, rows: i32, cols: i32, ignoreIndex: i32,
): void {
  const rowBytes = (<usize>cols) << 2;
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const pr = probs + <usize>r * rowBytes;
    const dr = dx + <usize>r * rowBytes;
    const t = load<i32>(targets + ((<usize>r) << 2));
    if (t == ignoreIndex) {
      memory.fill(dr, 0, rowBytes);
      continue;
    }
    const s = load<f32>(rowScale + ((<usize>r) << 2));
    const sv = f32x4.splat(s);
    let j = 0;
    for (; j < c4; j += 4) {
      const o = (<usize>j) << 2;
      v128.store(dr + o, f32x4.mul(v128.load(pr + o), sv));
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      store<f32>(dr + o, load<f32>(pr + o) * s);
    }
    const at = dr + ((<usize>t) << 2);
    store<f32>(at, load<f32>(at) - s);
  }
}

export function crossEntropy(
  logits: usize, targets: usize, losses: usize, probs: usize, rows: i32, cols: i32, ignoreIndex: i32,
): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const lr = logits + <usize>r * rowBytes;
    const pr = probs + <usize>r * rowBytes;
    const t = load<i32>(targets + ((<usize>r) << 2));
    if (t == ignoreIndex) {
      store<f32>(losses + ((<usize>r) << 2), 0);
      memory.fill(pr, 0, rowBytes);
      continue;
    }
    const m = rowMax(lr, cols);
    const s = expShiftSum(lr, pr, cols, m);
    scaleRow(pr, cols, 1 / s);
    store<f32>(losses + ((<usize>r) << 2), m + Mathf.log(s) - load<f32>(lr + ((<usize>t) << 2)));
  }
}
