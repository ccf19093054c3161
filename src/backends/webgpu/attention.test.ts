// The fused attention kernels (forward, backward, packed GPT form) and the KV-cache decode step
// against the js reference. On webgpu `att` holds per-row log-sum-exps, so it is not compared; the
// backward runs from the GPU's own forward.

import type { DecodeAttentionParams } from '../backend.js';
import { jsKernels } from '../js/index.js';
import { assertClose, floats, gpuTest } from './testing.js';

gpuTest('attention forward and backward, causal and not, over several key tiles', async (g) => {
  for (const [bh, t, d] of [[2, 70, 16], [2, 5, 64], [1, 1, 16]] as const) {
    for (const causal of [true, false]) {
      const scale = 1 / Math.sqrt(d);
      const [q, k, v, dOut] = [1, 2, 3, 4].map((s) => floats(bh * t * d, 100 + s, -2, 2)) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const n = bh * t * d;
      const ref = { out: new Float64Array(n), att: new Float64Array(bh * t * t), dq: new Float64Array(n), dk: new Float64Array(n), dv: new Float64Array(n) };
      const f64 = (x: Float32Array): Float64Array => Float64Array.from(x);
      jsKernels.attention(f64(q), f64(k), f64(v), ref.out, ref.att, bh, t, d, scale, causal);
      jsKernels.attentionBackward(f64(q), f64(k), f64(v), ref.att, f64(dOut), ref.dq, ref.dk, ref.dv, bh, t, d, scale, causal);
      const dev = g.device;
      const [gq, gk, gv, gd] = [q, k, v, dOut].map((x) => dev.upload(x)) as [ReturnType<typeof dev.upload>, ReturnType<typeof dev.upload>, ReturnType<typeof dev.upload>, ReturnType<typeof dev.upload>];
      const out = dev.alloc('float32', n, true);
      const att = dev.alloc('float32', bh * t * t, true);
      g.kernels.attention(gq, gk, gv, out, att, bh, t, d, scale, causal);
      const [dq, dk, dv] = [0, 1, 2].map(() => dev.alloc('float32', n, true)) as [typeof out, typeof out, typeof out];
      g.kernels.attentionBackward(gq, gk, gv, att, gd, dq, dk, dv, bh, t, d, scale, causal);
      const what = `attention bh=${bh} t=${t} d=${d} causal=${causal}`;
      assertClose(await dev.read(out), ref.out, `${what} out`);
      assertClose(await dev.read(dq), ref.dq, `${what} dq`, 1e-3, 1e-4);
      assertClose(await dev.read(dk), ref.dk, `${what} dk`, 1e-3, 1e-4);
      assertClose(await dev.read(dv), ref.dv, `${what} dv`, 1e-3, 1e-4);
    }
  }
});

gpuTest('packed causal attention from (B, T, 3C), forward and backward', async (g) => {
  for (const [batch, t, nHead, headDim] of [[2, 70, 2, 16], [1, 9, 2, 64]] as const) {
    const C = nHead * headDim;
    const scale = 1 / Math.sqrt(headDim);
    const qkv = floats(batch * t * 3 * C, 110, -2, 2);
    const dOut = floats(batch * t * C, 111);
    const ref = { out: new Float64Array(batch * t * C), att: new Float64Array(batch * nHead * t * t), dqkv: new Float64Array(qkv.length) };
    jsKernels.packedAttention(Float64Array.from(qkv), ref.out, ref.att, batch, t, nHead, headDim, scale);
    jsKernels.packedAttentionBackward(Float64Array.from(qkv), ref.att, Float64Array.from(dOut), ref.dqkv, batch, t, nHead, headDim, scale);
    const dev = g.device;
    const gqkv = dev.upload(qkv);
    const out = dev.alloc('float32', batch * t * C, true);
    const att = dev.alloc('float32', batch * nHead * t * t, true);
    g.kernels.packedAttention(gqkv, out, att, batch, t, nHead, headDim, scale);
    const dqkv = dev.upload(new Float32Array(qkv.length).fill(Number.NaN)); // every element must be written
    g.kernels.packedAttentionBackward(gqkv, att, dev.upload(dOut), dqkv, batch, t, nHead, headDim, scale);
    assertClose(await dev.read(out), ref.out, 'packed out');
    assertClose(await dev.read(dqkv), ref.dqkv, 'packed dqkv', 1e-3, 1e-4);
  }
});

gpuTest('KV-cache decode step: cache writes and attention over cached and new positions', async (g) => {
  const [nHead, headDim, blockSize] = [3, 16, 12];
  const C = nHead * headDim;
  for (const [t, offsets] of [[1, [4, 0]], [3, [2, 9]]] as const) {
    const batch = offsets.length;
    const p: DecodeAttentionParams = { batch, t, nHead, headDim, blockSize, offsets, scale: 1 / Math.sqrt(headDim) };
    const qkv = floats(batch * t * 3 * C, 120);
    const caches = [0, 1, 2, 3].map((s) => floats(nHead * blockSize * headDim, 121 + s));
    const refK = caches.slice(0, 2).map((c) => Float64Array.from(c));
    const refV = caches.slice(2).map((c) => Float64Array.from(c));
    const want = new Float64Array(batch * t * C);
    jsKernels.decodeAttention(Float64Array.from(qkv), refK, refV, want, p);
    const dev = g.device;
    const gk = caches.slice(0, 2).map((c) => dev.upload(c));
    const gv = caches.slice(2).map((c) => dev.upload(c));
    const out = dev.alloc('float32', want.length, true);
    g.kernels.decodeAttention(dev.upload(qkv), gk, gv, out, p);
    assertClose(await dev.read(out), want, `decode t=${t} out`);
    for (let b = 0; b < batch; b++) {
      assertClose(await dev.read(gk[b]!), refK[b]!, `decode t=${t} k cache ${b}`);
      assertClose(await dev.read(gv[b]!), refV[b]!, `decode t=${t} v cache ${b}`);
    }
  }
});
