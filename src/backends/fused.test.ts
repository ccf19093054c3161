// Fused transformer paths against their composites, forward and backward, in float32 on every backend.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from './index.js';
import { cpuBackends, setBackend } from './registry.js';
import { assertClose } from './test-conformance.js';
import { randn, tensor, Rng, Tensor, ops, AdamW, Parameter } from '../index.js';

initBackends();

/** The same seeded leaves twice: one set for the fused op, one for the composite. */
function leaves(shapes: number[][], seed: number, scale = 1): Tensor[] {
  return shapes.map((s, i) => randn(s, { rng: new Rng(seed + i) }).mul(scale).detach().to('float32'))
    .map((t) => new Tensor(t.dataSync(), t.shape, { requiresGrad: true }));
}

/** Runs f on fresh leaves, backpropagates sum(out * w) for a fixed random w, returns out and grads. */
function run(f: (...xs: Tensor[]) => Tensor, shapes: number[][], seed: number, scale = 1): { out: number[]; grads: number[][] } {
  const xs = leaves(shapes, seed, scale);
  const out = f(...xs);
  const w = randn(out.shape, { rng: new Rng(seed + 100) });
  out.mul(w).sum().backward();
  return { out: Array.from(out.dataSync()), grads: xs.map((x) => Array.from(x.grad!.dataSync())) };
}

function compare(name: string, fused: ReturnType<typeof run>, composite: ReturnType<typeof run>): void {
  assertClose(fused.out, composite.out, `${name} forward`, 1e-4, 1e-5);
  fused.grads.forEach((g, i) => assertClose(g, composite.grads[i], `${name} grad ${i}`, 1e-3, 1e-4));
}

/** softmax from exp / sum (the composite), over the last axis. */
function softmaxComposite(x: Tensor): Tensor {
  const e = x.sub(x.max(-1, true).detach()).exp();
  return e.div(e.sum(-1, true));
}

const GELU_K = Math.sqrt(2 / Math.PI);

for (const backend of cpuBackends()) {
  test(`fused == composite on ${backend}`, async (t) => {
    setBackend(backend);
    try {
      for (const causal of [true, false]) {
        await t.test(`attention causal=${causal}`, () => {
          const [B, H, T, D] = [2, 3, 37, 16];
          const shapes = [[B, H, T, D], [B, H, T, D], [B, H, T, D]];
          const fused = run((q, k, v) => ops.scaledDotProductAttention(q, k, v, { causal }), shapes, 10);
          const mask = tensor(Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (causal && j > i ? 1 : 0))));
          const composite = run((q, k, v) => {
            const s = q.matmul(k.transpose()).mul(1 / Math.sqrt(D)).maskedFill(mask, -Infinity);
            return softmaxComposite(s).matmul(v);
          }, shapes, 10);
          compare('attention', fused, composite);
        });
      }
      await t.test('layer norm', () => {
        const shapes = [[4, 9, 48], [48], [48]];
        const fused = run((x, w, b) => ops.layerNorm(x, w, b, 1e-5), shapes, 20, 3);
        const composite = run((x, w, b) => {
          const xc = x.sub(x.mean(-1, true));
          const v = xc.mul(xc).mean(-1, true);
          return xc.div(v.add(1e-5).sqrt()).mul(w).add(b);
        }, shapes, 20, 3);
        compare('layerNorm', fused, composite);
      });
      await t.test('softmax', () => {
        const shapes = [[6, 5, 33]];
        compare('softmax', run((x) => x.softmax(), shapes, 30, 4), run((x) => softmaxComposite(x), shapes, 30, 4));
      });
      await t.test('softmax + cross-entropy', () => {
        const [N, C] = [50, 37];
        const targets = Array.from({ length: N }, (_, i) => (i % 7 === 6 ? -100 : (i * 13) % C));
        const tgt = tensor(targets, { dtype: 'int32' });
        const onehot = tensor(targets.map((c) => Array.from({ length: C }, (_, j) => (j === c ? 1 : 0))));
        const kept = targets.filter((c) => c !== -100).length;
        const fused = run((x) => ops.crossEntropy(x, tgt).reshape([1]), [[N, C]], 40, 5);
        const composite = run((x) => {
          const m = x.max(-1, true).detach();
          const logp = x.sub(m).sub(x.sub(m).exp().sum(-1, true).log());
          return logp.mul(onehot).sum().mul(-1 / kept).reshape([1]);
        }, [[N, C]], 40, 5);
        compare('crossEntropy', fused, composite);
      });
      await t.test('GELU (tanh approximation)', () => {
        const shapes = [[7, 301]];
        const fused = run((x) => x.gelu(), shapes, 50, 3);
        const composite = run((x) => {
          const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(GELU_K);
          return x.mul(0.5).mul(inner.tanh().add(1));
        }, shapes, 50, 3);
        compare('gelu', fused, composite);
      });
      await t.test('AdamW step', () => {
        const n = 1003;
        const rng = new Rng(60);
        const p0 = randn([n], { rng }).to('float32');
        const p = new Parameter(p0.clone().dataSync(), [n]);
        const opt = new AdamW([p], { lr: 1e-2, weightDecay: 0.1 });
        // The composite: the update written with tensor ops in float64 from the same start.
        let ref = p0.to('float64'), m = ref.mul(0), v = ref.mul(0);
        const [lr, b1, b2, eps, wd] = [1e-2, 0.9, 0.999, 1e-8, 0.1];
        for (let step = 1; step <= 3; step++) {
          const g = randn([n], { rng }).to('float32');
          p.grad = g;
          opt.step();
          const g64 = g.to('float64');
          m = m.mul(b1).add(g64.mul(1 - b1));
          v = v.mul(b2).add(g64.mul(g64).mul(1 - b2));
          const mhat = m.div(1 - b1 ** step), vhat = v.div(1 - b2 ** step);
          ref = ref.mul(1 - lr * wd).sub(mhat.mul(lr).div(vhat.sqrt().add(eps)));
        }
        assertClose(Array.from(p.dataSync()), Array.from(ref.dataSync()), 'adamw', 1e-5, 1e-6);
      });
    } finally {
      setBackend(null);
    }
  });
}

test('the default order puts every registered cpu backend before js', () => {
  const names = cpuBackends();
  assert.equal(names[names.length - 1], 'js');
});
