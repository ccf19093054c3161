// Scaling-law fits recover the constants of laws they were given, and their intervals cover them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeOptimal, fitDataLaw, fitIsoflop, fitPowerLaw, predictPowerLaw } from './power-law.js';

test('L(N) = E + A / N^alpha: exact points give back E, A, alpha', () => {
  const N = [1e4, 3e4, 1e5, 3e5, 1e6, 3e6];
  // E = 1.5, A = 40, alpha = 0.3: at N = 1e4, 40 / 10^1.2 = 2.524, so L = 4.024.
  const L = N.map((n) => 1.5 + 40 * n ** -0.3);
  assert.ok(Math.abs(L[0]! - 4.0238) < 1e-3);
  const fit = fitPowerLaw(N, L, { bootstrap: 20 });
  assert.ok(Math.abs(fit.alpha - 0.3) < 1e-3, `alpha ${fit.alpha}`);
  assert.ok(Math.abs(fit.E - 1.5) < 1e-2, `E ${fit.E}`);
  assert.ok(Math.abs(fit.A - 40) / 40 < 2e-2, `A ${fit.A}`);
  assert.ok(Math.abs(predictPowerLaw(fit, 1e7) - (1.5 + 40 * 1e7 ** -0.3)) < 1e-3);
});

test('noisy points: the bootstrap interval covers alpha and the held-out size is predicted', () => {
  const N = [5e4, 1e5, 2e5, 5e5, 1e6, 2e6];
  const noise = [0.01, -0.012, 0.006, -0.004, 0.008, -0.01];
  const L = N.map((n, i) => 2 + 300 * n ** -0.45 + noise[i]!);
  const fit = fitPowerLaw(N.slice(0, 5), L.slice(0, 5), { bootstrap: 100 });
  assert.ok(fit.alphaInterval[0] <= 0.45 && 0.45 <= fit.alphaInterval[1], `interval ${fit.alphaInterval}`);
  assert.ok(Number.isFinite(fit.stderr.alpha) && fit.stderr.alpha > 0);
  const err = Math.abs(predictPowerLaw(fit, 2e6) - L[5]!) / L[5]!;
  assert.ok(err < 0.05, `held-out error ${err}`);
});

test('L(N, D) and the compute-optimal split; isoflop parabola vertex', () => {
  // Chinchilla's approach-3 constants at Gopher's 5.76e23 FLOPs: G = (0.34*406.4 / (0.28*410.7))^(1/0.62) = 1.345,
  // N = G (C/6)^(0.28/0.62) = 3.2e10, D = (C/6)^(0.34/0.62) / G = 2.97e12: ~92 tokens per parameter (the rounded
  // published constants; the paper's own table 3 says 40.6B parameters for this approach).
  const law = { E: 1.69, A: 406.4, alpha: 0.34, B: 410.7, beta: 0.28 };
  const opt = computeOptimal(law, 5.76e23);
  assert.ok(Math.abs(opt.parameters / 3.2e10 - 1) < 0.02, `N ${opt.parameters}`);
  assert.ok(Math.abs(opt.tokensPerParameter - 92.6) < 1, `tokens/param ${opt.tokensPerParameter}`);
  assert.ok(Math.abs(6 * opt.parameters * opt.tokens / 5.76e23 - 1) < 1e-9);
  const N: number[] = [];
  const D: number[] = [];
  for (const C of [1e15, 1e16, 1e17]) for (const n of [1e5, 3e5, 1e6, 3e6]) { N.push(n); D.push(C / (6 * n)); }
  const L = N.map((n, i) => law.E + law.A * n ** -law.alpha + law.B * D[i]! ** -law.beta);
  const fit = fitDataLaw(N, D, L, { bootstrap: 5 });
  assert.ok(Math.abs(fit.alpha - 0.34) < 0.02 && Math.abs(fit.beta - 0.28) < 0.02, `alpha ${fit.alpha} beta ${fit.beta}`);
  // A parabola in ln N with its vertex at N = e^12 (about 163k).
  const Ns = [2e4, 6e4, 2e5, 6e5, 2e6];
  const iso = fitIsoflop(Ns, Ns.map((n) => 0.05 * (Math.log(n) - 12) ** 2 + 3), 1e14, { bootstrap: 10 });
  assert.ok(Math.abs(iso.optimalParameters / Math.exp(12) - 1) < 1e-6);
  assert.ok(Math.abs(iso.tokensPerParameter - 1e14 / 6 / Math.exp(24)) < 1e-6);
});

test('fitSweep: a held-out size, and a note when loss does not fall with size', async () => {
  const { fitSweep } = await import('./scale.js');
  const run = (n: number, valLoss: number) => ({
    size: n, budget: 1e6, parameters: n, nonEmbeddingParameters: n, n, config: { nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 64, vocabSize: 512 },
    steps: 10, tokens: 1e6, flops: 6e6 * n, lr: 1e-3, trainLoss: valLoss, valLoss, seconds: 1, runDir: '',
  });
  const Ns = [1e4, 3e4, 1e5, 3e5, 1e6];
  const good = fitSweep(Ns.map((n) => run(n, 2 + 50 * n ** -0.3)), { isoflop: false, budgets: [1e6] });
  assert.ok(good.heldOut && good.heldOut.n === 1e6 && good.heldOut.relativeError < 1e-3, JSON.stringify(good.heldOut));
  assert.ok(!good.notes.some((n) => /does not fall/.test(n)));
  const bad = fitSweep(Ns.map((n, i) => run(n, [4.8, 4.4, 4.5, 4.7, 4.6][i]!)), { isoflop: false, budgets: [1e6] });
  assert.ok(bad.notes.some((n) => /does not fall with size/.test(n)));
});
