// Training-epoch benchmark: an MLP 64-512-512-10 on digits (batch 256, AdamW) on each backend, against js.
// Run: npm run bench (or node --experimental-wasm-relaxed-simd --import tsx bench/mlp.ts [--json])

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromArray, MLP, AdamW, crossEntropy, manualSeed, setBackend } from '../src/index.js';
import { initBackends, setThreads } from '../src/backends/index.js';

const json = process.argv.includes('--json');
const BATCH = 256;
const SIZES = [64, 512, 512, 10];

/** Digits (1797 or the repo's 1438 rows, 8x8 pixels in 0..16), or random data of the same shape. */
function loadDigits(): { X: Float32Array; y: Int32Array; n: number; source: string } {
  const path = join(import.meta.dirname ?? '.', '..', '..', 'shared', 'datasets', 'digits', 'digits_8x8.csv');
  if (existsSync(path)) {
    const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
    const X = new Float32Array(rows.length * 64);
    const y = new Int32Array(rows.length);
    rows.forEach((line, i) => {
      const v = line.split(',').map(Number);
      for (let j = 0; j < 64; j++) X[i * 64 + j] = v[j] / 16;
      y[i] = v[64];
    });
    return { X, y, n: rows.length, source: 'digits_8x8.csv' };
  }
  const n = 1797;
  const X = Float32Array.from({ length: n * 64 }, (_, i) => ((i * 7919) % 17) / 16);
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { X, y, n, source: 'synthetic (digits not found)' };
}

/**
 * Seconds per epoch, wall-clock and CPU (all threads; robust to other work on the machine), best of
 * `epochs`, and the last epoch's mean loss.
 */
async function epochSeconds(backend: string, epochs: number): Promise<{ seconds: number; cpuSeconds: number; loss: number }> {
  setBackend(backend);
  manualSeed(0);
  const { X, y, n } = loadDigits();
  // Model and optimizer state are allocated after setBackend, so they live where its kernels run.
  const model = new MLP(SIZES);
  const opt = new AdamW(model.parameters(), { lr: 1e-3 });
  let best = Infinity;
  let bestCpu = Infinity;
  let loss = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let total = 0;
    for (let s = 0; s < n; s += BATCH) {
      const b = Math.min(BATCH, n - s);
      const xb = fromArray(X.slice(s * 64, (s + b) * 64), [b, 64]);
      const yb = fromArray(y.slice(s, s + b), [b]);
      const l = crossEntropy(model.forward(xb), yb);
      opt.zeroGrad();
      l.backward();
      opt.step();
      total += l.itemSync() * b;
      // A training loop yields now and then; the wasm heap's finalizers run then.
      await new Promise((r) => setImmediate(r));
    }
    best = Math.min(best, (performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    loss = total / n;
  }
  return { seconds: best, cpuSeconds: bestCpu, loss };
}

const { wasm, blas } = initBackends();
const { source } = loadDigits();
const threads = [1, 2];
const rows: Array<{ backend: string; threads: number; seconds: number; cpuSeconds: number; loss: number }> = [];
const js = await epochSeconds('js', 2);
rows.push({ backend: 'js', threads: 1, ...js });
for (const t of threads) {
  setThreads(t);
  for (const name of ['auto', 'wasm', 'blas']) {
    if ((name === 'wasm' && !wasm) || (name === 'blas' && !blas)) continue;
    rows.push({ backend: name, threads: t, ...(await epochSeconds(name, 5)) });
  }
}
for (const r of rows) {
  const speedup = js.seconds / r.seconds;
  const cpuSpeedup = js.cpuSeconds / r.cpuSeconds;
  if (json) {
    process.stdout.write(`${JSON.stringify({
      bench: 'mlp-epoch', backend: r.backend, threads: r.threads, seconds: +r.seconds.toFixed(4),
      cpuSeconds: +r.cpuSeconds.toFixed(4), speedup: +speedup.toFixed(1),
    })}\n`);
  } else {
    process.stdout.write(`mlp 64-512-512-10 batch ${BATCH} (${source}) ${r.backend.padEnd(5)} threads ${r.threads}: `
      + `${(r.seconds * 1000).toFixed(1).padStart(8)} ms/epoch x${speedup.toFixed(1).padStart(5)} vs js; `
      + `CPU ${(r.cpuSeconds * 1000).toFixed(1).padStart(8)} ms/epoch x${cpuSpeedup.toFixed(1).padStart(5)}; loss ${r.loss.toFixed(3)}\n`);
  }
}
if (wasm && !json) process.stdout.write(`# wasm build: ${wasm.runtime.relaxed ? 'relaxed SIMD (FMA)' : 'SIMD'}; blas: ${blas ? blas.library.path : 'none'}\n`);
