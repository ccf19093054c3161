// The op suite for devices: every op, forward and backward, on seeded inputs, run on any device and
// compared with the cpu. Reads go through `await data()` only, so a device that keeps storage off
// the host (cpu-strict, webgpu) runs it unchanged. Used by device-suite.test.ts and the webgpu tests.

import { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/create.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { Rng } from '../tensor/random.js';
import * as F from './index.js';

/** One input: float values in [low, high) (default [-1, 1)), or int32 ids below `ints`. */
export interface CaseInput {
  shape: number[];
  dtype?: DType;
  ints?: number;
  low?: number;
  high?: number;
  grad?: boolean;
}

export interface DeviceCase {
  name: string;
  inputs: CaseInput[];
  f: (...xs: Tensor[]) => Tensor;
  /** Random ops (dropout) reseed from the case's rng per run. */
  rng?: boolean;
  /** Uses float64, which a GPU device does not store (WGSL has no 64-bit floats). */
  float64?: boolean;
}

/** What one run of a case gives: the output and each input's gradient (null where none). */
export interface CaseResult {
  out: TypedArray;
  shape: readonly number[];
  grads: Array<TypedArray | null>;
}

const f32 = (shape: number[], grad = true, low = -1, high = 1): CaseInput => ({ shape, grad, low, high });
const ids = (shape: number[], limit: number): CaseInput => ({ shape, ints: limit, dtype: 'int32' });

let caseRng = new Rng(0);

/** The cases, covering every op of src/ops (and so every kernel of the table). */
export function deviceCases(): DeviceCase[] {
  return [
    { name: 'add broadcast', inputs: [f32([2, 3, 4]), f32([3, 1])], f: (a, b) => a.add(b) },
    { name: 'sub scalar', inputs: [f32([5])], f: (a) => a.sub(0.5) },
    { name: 'mul broadcast', inputs: [f32([4, 1, 3]), f32([2, 3])], f: (a, b) => a.mul(b) },
    { name: 'div', inputs: [f32([3, 4]), f32([3, 4], true, 0.5, 2)], f: (a, b) => a.div(b) },
    { name: 'pow', inputs: [f32([3, 4], true, 0.5, 2), f32([4], true, 0.5, 1.5)], f: (a, b) => a.pow(b) },
    { name: 'maximum', inputs: [f32([3, 4]), f32([1, 4])], f: (a, b) => a.maximum(b) },
    { name: 'int add broadcast', inputs: [ids([2, 3], 9), ids([3], 9)], f: (a, b) => a.add(b) },
    ...(['neg', 'exp', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'gelu', 'log'] as const).map((op): DeviceCase => ({
      name: op, inputs: [f32([3, 5], true, op === 'sqrt' || op === 'log' ? 0.1 : -2, 2)], f: (x) => x[op](),
    })),
    { name: 'sum all', inputs: [f32([3, 4, 2])], f: (x) => x.sum() },
    { name: 'sum axes keepDims', inputs: [f32([3, 4, 2])], f: (x) => x.sum([0, 2], true) },
    { name: 'mean axis', inputs: [f32([3, 4])], f: (x) => x.mean(1) },
    { name: 'max axis', inputs: [f32([3, 4, 5])], f: (x) => x.max(1) },
    { name: 'max all', inputs: [f32([3, 4])], f: (x) => x.max() },
    { name: 'argmax', inputs: [f32([4, 6], false)], f: (x) => x.argmax(1) },
    { name: 'matmul batched broadcast', inputs: [f32([2, 3, 4]), f32([4, 5])], f: (a, b) => a.matmul(b) },
    { name: 'matmul batch broadcast both', inputs: [f32([2, 1, 3, 4]), f32([3, 4, 2])], f: (a, b) => a.matmul(b) },
    { name: 'reshape + permute', inputs: [f32([2, 3, 4])], f: (x) => x.reshape(6, 4).reshape(2, 12).permute(1, 0) },
    { name: 'transpose', inputs: [f32([2, 3, 4])], f: (x) => x.transpose(0, 2) },
    { name: 'slice inner axis', inputs: [f32([3, 6, 2])], f: (x) => x.slice(1, 1, 4) },
    { name: 'slice outer axis', inputs: [f32([5, 3])], f: (x) => x.slice(0, 1, 3).mul(2) },
    { name: 'concat', inputs: [f32([2, 3]), f32([2, 2])], f: (a, b) => F.concat([a, b], 1) },
    { name: 'stack', inputs: [f32([2, 3]), f32([2, 3])], f: (a, b) => F.stack([a, b], 1) },
    { name: 'broadcastTo', inputs: [f32([3, 1])], f: (x) => x.broadcastTo([2, 3, 4]) },
    { name: 'cast to float64 and back', inputs: [f32([3, 3])], f: (x) => x.to('float64').mul(3).to('float32'), float64: true },
    { name: 'cast to int32', inputs: [f32([6], false, -3, 3)], f: (x) => x.to('int32') },
    { name: 'clone', inputs: [f32([4])], f: (x) => x.clone() },
    { name: 'embedding', inputs: [f32([7, 4]), ids([2, 5], 7)], f: (t, i) => F.embedding(t, i) },
    { name: 'gather', inputs: [f32([3, 6]), ids([3, 2], 6)], f: (x, i) => F.gather(x, 1, i) },
    { name: 'where', inputs: [f32([3, 4], false), f32([3, 4]), f32([4])], f: (c, a, b) => F.where(c.relu(), a, b) },
    { name: 'maskedFill', inputs: [f32([3, 3]), f32([3, 3], false)], f: (x, m) => F.maskedFill(x, m.relu(), -5) },
    { name: 'softmax last', inputs: [f32([3, 5], true, -3, 3)], f: (x) => x.softmax(-1) },
    { name: 'softmax middle axis', inputs: [f32([2, 4, 3], true, -3, 3)], f: (x) => x.softmax(1) },
    { name: 'logSoftmax', inputs: [f32([3, 5], true, -3, 3)], f: (x) => x.logSoftmax(-1) },
    { name: 'crossEntropy mean ignore', inputs: [f32([6, 5], true, -3, 3), ids([6], 5)], f: (l, t) => F.crossEntropy(l, t.sub(1).maximum(-1), { ignoreIndex: -1 }) },
    { name: 'crossEntropy sum', inputs: [f32([4, 5], true, -3, 3), ids([4], 5)], f: (l, t) => F.crossEntropy(l, t, { reduction: 'sum' }) },
    { name: 'crossEntropy none', inputs: [f32([2, 3, 5], true, -3, 3), ids([2, 3], 5)], f: (l, t) => F.crossEntropy(l, t, { reduction: 'none' }) },
    { name: 'linearCrossEntropy chunks 4+4+2, ignore', inputs: [f32([2, 5, 6]), f32([11, 6]), f32([11]), ids([2, 5], 12)], f: (h, w, b, t) => F.linearCrossEntropy(h, w, b, t.sub(1), { ignoreIndex: -1, chunkRows: 4 }) },
    { name: 'linearCrossEntropy no bias, one chunk', inputs: [f32([6, 5], true, -2, 2), f32([7, 5])], f: (h, w) => F.linearCrossEntropy(h, w, null, F.toDevice(new Tensor(Int32Array.of(3, -1, 0, 6, 2, -1), [6]), h.dev), { ignoreIndex: -1 }) },
    { name: 'layerNorm', inputs: [f32([4, 6]), f32([6]), f32([6])], f: (x, w, b) => F.layerNorm(x, w, b) },
    { name: 'layerNorm no affine', inputs: [f32([3, 5])], f: (x) => F.layerNorm(x, null, null) },
    { name: 'dropout', inputs: [f32([4, 8])], f: (x) => F.dropout(x, 0.3, true, caseRng), rng: true },
    { name: 'linear', inputs: [f32([2, 3, 4]), f32([5, 4]), f32([5])], f: (x, w, b) => F.linear(x, w, b) },
    { name: 'linear no bias', inputs: [f32([3, 4]), f32([2, 4])], f: (x, w) => F.linear(x, w, null) },
    { name: 'attention causal', inputs: [f32([2, 2, 5, 4]), f32([2, 2, 5, 4]), f32([2, 2, 5, 4])], f: (q, k, v) => F.scaledDotProductAttention(q, k, v) },
    { name: 'attention full', inputs: [f32([2, 5, 4]), f32([2, 5, 4]), f32([2, 5, 4])], f: (q, k, v) => F.scaledDotProductAttention(q, k, v, { causal: false }) },
    { name: 'packed attention', inputs: [f32([2, 5, 12])], f: (qkv) => F.packedSelfAttention(qkv, 2) },
    { name: 'conv2d', inputs: [f32([2, 2, 5, 5]), f32([3, 2, 3, 3]), f32([3])], f: (x, w, b) => F.conv2d(x, w, b, { padding: 1, stride: 2 }) },
    { name: 'maxPool2d', inputs: [f32([1, 2, 4, 4])], f: (x) => F.maxPool2d(x, 2) },
    { name: 'avgPool2d', inputs: [f32([1, 2, 5, 5])], f: (x) => F.avgPool2d(x, 2, { padding: 1 }) },
  ];
}

/**
 * Runs a case on a device: seeded inputs made there, forward, then backward against a fixed random
 * weighting of the output (for float outputs with an input that requires grad); reads with await.
 */
export async function runDeviceCase(c: DeviceCase, device: string, seed = 0): Promise<CaseResult> {
  const rng = new Rng(seed);
  caseRng = new Rng(seed + 1);
  const xs = c.inputs.map((inp) => {
    const n = inp.shape.reduce((a, b) => a * b, 1);
    const dtype = inp.dtype ?? 'float32';
    const host: TypedArray = dtype === 'int32' ? new Int32Array(n) : dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    const low = inp.low ?? -1;
    const high = inp.high ?? 1;
    for (let i = 0; i < n; i++) host[i] = inp.ints !== undefined ? rng.int(inp.ints) : low + (high - low) * rng.next();
    return fromArray(host, inp.shape, { device, requiresGrad: inp.grad === true && dtype !== 'int32' });
  });
  const out = c.f(...xs);
  if (out.requiresGrad && out.dtype !== 'int32') {
    const w = new Float32Array(out.size);
    for (let i = 0; i < w.length; i++) w[i] = 0.5 + rng.next();
    out.backward(fromArray(out.dtype === 'float64' ? Float64Array.from(w) : w, out.shape, { device }));
  }
  return {
    out: await out.data(),
    shape: out.shape,
    grads: await Promise.all(xs.map((x) => (x.grad ? x.grad.data() : Promise.resolve(null)))),
  };
}

/** Largest |a - b| / (1 + |b|) between two results (Infinity when shapes or presence differ). */
export function caseError(a: CaseResult, b: CaseResult): number {
  if (a.shape.join() !== b.shape.join() || a.grads.length !== b.grads.length) return Infinity;
  let worst = diff(a.out, b.out);
  a.grads.forEach((g, i) => {
    const h = b.grads[i]!;
    worst = Math.max(worst, g && h ? diff(g, h) : g === h ? 0 : Infinity);
  });
  return worst;
}

function diff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (x === y) continue;
    worst = Math.max(worst, Math.abs(x - y) / (1 + Math.abs(y)));
  }
  return worst;
}
