// A quick measurement of this machine's matrix-multiply throughput on the active backend.

import { randn } from '../tensor/create.js';
import { Rng } from '../tensor/random.js';
import { noGrad } from '../tensor/grad-mode.js';

/**
 * GFLOP/s of a square float32 matmul, best of a few runs within ~`budgetMs`.
 * @example measureMatmulGflops() // e.g. 45.2
 */
export function measureMatmulGflops(n = 256, budgetMs = 300): number {
  const rng = new Rng(0);
  const a = randn([n, n], { rng });
  const b = randn([n, n], { rng });
  let best = Infinity;
  const start = performance.now();
  noGrad(() => {
    do {
      const t0 = performance.now();
      a.matmul(b);
      best = Math.min(best, performance.now() - t0);
    } while (performance.now() - start < budgetMs);
  });
  return (2 * n * n * n) / (best / 1000) / 1e9;
}
