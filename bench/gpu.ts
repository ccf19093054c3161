// npm run bench:gpu: moxing on WebGPU next to PyTorch on the same GPU in the same run: GEMM TFLOP/s
// (fp32 tiles, f16 tensor cores) against torch.matmul, GPT training tokens/s against PyTorch eager
// (fp32, and mixed against bf16 autocast), KV-cache decoding tokens/s at batch 1 and 32.
// Usage: node --import tsx bench/gpu.ts [--quick] [--json PATH] [--skip-torch] [--only gemm|train|decode]
//   --quick: tiny shapes, SwiftShader allowed (proves the path works where no GPU is).
// PyTorch comes from bench/gpu_torch.py run by MOXING_TORCH_PYTHON (default /usr/bin/python3).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { initBackends } from '../src/backends/index.js';
import { initWebGpu, type WebGpuBackend } from '../src/backends/webgpu/index.js';
import { TILE_LARGE, TILE_SMALL, type GemmVariant } from '../src/backends/webgpu/kernels/matmul.js';
import type { MatmulParams } from '../src/backends/backend.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Rng } from '../src/tensor/random.js';
import { setDefaultDevice } from '../src/tensor/device.js';
import { setPrecision, type Precision } from '../src/ops/precision.js';
import { GPT, KVCache } from '../src/llm/gpt.js';
import { gptOptimizer, recordStep } from '../src/llm/train.js';
import type { GPTConfig } from '../src/llm/config.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonPath = args[args.indexOf('--json') + 1] && args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const python = process.env.MOXING_TORCH_PYTHON ?? '/usr/bin/python3';
const results: Record<string, unknown> = { command: `node --import tsx bench/gpu.ts ${args.join(' ')}`.trim() };
const say = (line: string): void => { process.stdout.write(`${line}\n`); };
const tf = (x: number): string => (x >= 1 ? x.toFixed(2) : x.toPrecision(3));

initBackends();
const { backend, reason } = await initWebGpu({ allowSoftware: quick });
if (!backend) {
  say(`bench:gpu: no WebGPU adapter (${reason})${quick ? '' : '; --quick runs on SwiftShader'}`);
  process.exit(quick ? 1 : 0);
}
const gpu: WebGpuBackend = backend;
results.adapter = gpu.adapterName;
results.features = gpu.features;
say(`adapter: ${gpu.adapterName}${gpu.software ? ' (software)' : ''}; f16 tensor cores: ${gpu.matmulF16 ? 'yes' : 'no'}`);

/** PyTorch's figures for one mode, or null (no python, no torch, no CUDA). */
function torch(mode: string, extra: string[]): Record<string, number> | null {
  if (args.includes('--skip-torch')) return null;
  try {
    const out = execFileSync(python, ['bench/gpu_torch.py', mode, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number> & { error?: string };
    if (r.error) throw new Error(r.error);
    return r;
  } catch (e) {
    say(`  pytorch ${mode}: unavailable (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** TFLOP/s of an n x n x n product (fp32 variant or the f16 kernel), with a sampled check of the result. */
async function gemm(n: number, kind: GemmVariant | 'f16'): Promise<{ tflops: number; maxErr: number }> {
  const d = gpu.device;
  const ha = randomArray(n * n, 1);
  const hb = randomArray(n * n, 2);
  const a = d.upload(ha);
  const b = d.upload(hb);
  const out = d.alloc('float32', n * n, true);
  const p: MatmulParams = { batch: 1, m: n, n, k: n, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false };
  const run = (): void => {
    if (kind === 'f16') gpu.matmulF16!(a, b, out, p);
    else gpu.matmulVariant(a, b, out, p, kind);
  };
  run();
  await d.sync();
  let reps = 2;
  let seconds = 0;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    await d.sync();
    seconds = (performance.now() - t0) / 1000;
    if (seconds > (quick ? 0.05 : 0.5) || reps >= 4096) break;
    reps *= 4;
  }
  // Spot-check 16 entries against float64 dot products (relative to sqrt(n), the size of such sums).
  const got = await d.read(out);
  const rng = new Rng(3);
  let maxErr = 0;
  for (let s = 0; s < 16; s++) {
    const i = rng.int(n);
    const j = rng.int(n);
    let want = 0;
    for (let q = 0; q < n; q++) want += ha[i * n + q]! * hb[q * n + j]!;
    maxErr = Math.max(maxErr, Math.abs(got[i * n + j]! - want) / Math.sqrt(n));
  }
  return { tflops: (2 * n ** 3 * reps) / seconds / 1e12, maxErr };
}

if (!only || only === 'gemm') {
  const sizes = quick ? [128] : [1024, 2048, 4096, 8192];
  const ref = torch('gemm', ['--sizes', sizes.join(',')]);
  say('\nGEMM, n x n x n, TFLOP/s (max |error| / sqrt(n) of 16 sampled entries)');
  const rows: Array<Record<string, unknown>> = [];
  for (const n of sizes) {
    const small = await gemm(n, TILE_SMALL);
    const large = await gemm(n, TILE_LARGE);
    const f16 = gpu.matmulF16 ? await gemm(n, 'f16').catch((e: Error) => ({ tflops: 0, maxErr: Number.NaN, error: e.message })) : null;
    const best = small.tflops > large.tflops ? small : large;
    const t32 = ref?.[`fp32_${n}`];
    const tbf = ref?.[`bf16_${n}`];
    const t16 = ref?.[`fp16_${n}`];
    say(`  n=${n}: moxing fp32 ${tf(best.tflops)} (64-tile ${tf(small.tflops)}, 128-tile ${tf(large.tflops)}; err ${best.maxErr.toExponential(1)})`
      + (t32 ? `, torch fp32 ${t32.toFixed(2)} -> ${(best.tflops / t32).toFixed(2)}x` : '')
      + (f16 ? `; moxing f16 ${tf(f16.tflops)} (err ${f16.maxErr.toExponential(1)})` : '')
      + (f16 && tbf ? `, torch bf16 ${tbf.toFixed(1)} -> ${(f16.tflops / tbf).toFixed(2)}x` : '')
      + (t16 ? `, torch fp16 ${t16.toFixed(1)}` : ''));
    rows.push({ n, fp32: best.tflops, fp32Small: small.tflops, fp32Large: large.tflops, fp32Err: best.maxErr, f16: f16?.tflops ?? null, f16Err: f16?.maxErr ?? null, torchFp32: t32 ?? null, torchBf16: tbf ?? null, torchFp16: t16 ?? null });
  }
  results.gemm = rows;
}

/** A GPT whose weights live on the GPU. */
function modelOnGpu(config: GPTConfig): GPT {
  setDefaultDevice('webgpu');
  try {
    return new GPT(config, { seed: 0 });
  } finally {
    setDefaultDevice('cpu');
  }
}

function tokens(b: number, t: number, vocab: number, seed: number): Tensor {
  const rng = new Rng(seed);
  return new Tensor(Int32Array.from({ length: b * t }, () => rng.int(vocab)), [b, t]).to('webgpu');
}

/** Training tokens/s: steps recorded back to back, one read of the loss at the end (as a log interval does). */
async function train(config: GPTConfig, batch: number, steps: number, precision: Precision): Promise<number> {
  const model = modelOnGpu(config);
  const opt = gptOptimizer(model, { lr: 1e-3, weightDecay: 0.1 });
  const x = tokens(batch, config.blockSize, config.vocabSize, 1);
  const y = tokens(batch, config.blockSize, config.vocabSize, 2);
  setPrecision(precision);
  try {
    const step = (): Tensor => recordStep(model, opt, x, y);
    for (let i = 0; i < 2; i++) await step().item();
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < steps; i++) last = step();
    const loss = await last!.item();
    const seconds = (performance.now() - t0) / 1000;
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss}`);
    return (batch * config.blockSize * steps) / seconds;
  } finally {
    setPrecision('fp32');
  }
}

/** Greedy KV-cache decoding tokens/s over `batch` sequences (each step reads the chosen ids back). */
async function decode(config: GPTConfig, batch: number, newTokens: number): Promise<number> {
  const model = modelOnGpu(config).eval();
  setDefaultDevice('webgpu');
  const caches = Array.from({ length: batch }, () => new KVCache(config));
  setDefaultDevice('cpu');
  let logits = model.forwardCached(new Tensor(new Int32Array(batch).fill(1), [batch, 1]), caches);
  await logits.data();
  const t0 = performance.now();
  for (let i = 0; i < newTokens; i++) {
    const next = Int32Array.from(await logits.argmax(1).data());
    logits = model.forwardCached(new Tensor(next, [batch, 1]), caches);
  }
  await logits.data();
  return (batch * newTokens) / ((performance.now() - t0) / 1000);
}

const shipped: GPTConfig = quick
  ? { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true }
  : { vocabSize: 4096, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 192, dropout: 0, bias: true };
const gpt2: GPTConfig = { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, dropout: 0, bias: true };
const cfgArgs = (c: GPTConfig): string[] => ['--n-layer', String(c.nLayer), '--n-head', String(c.nHead), '--n-embd', String(c.nEmbd), '--block-size', String(c.blockSize), '--vocab-size', String(c.vocabSize)];

/** f's result, or null after saying why it failed (the first line of the error, kept in `failure`). */
async function guarded<T>(what: string, f: () => Promise<T>, failure: { message?: string } = {}): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    failure.message = (e as Error).message.split('\n')[0];
    say(`  ${what}: failed: ${failure.message}`);
    return null;
  }
}

if (!only || only === 'train') {
  say('\nGPT training, tokens/s (forward, backward, clipping, AdamW)');
  const runs: Array<{ name: string; config: GPTConfig; batch: number; precision: Precision }> = quick
    ? [{ name: 'tiny', config: shipped, batch: 4, precision: 'fp32' }]
    : [
        { name: 'shipped shape', config: shipped, batch: 64, precision: 'fp32' },
        { name: 'shipped shape', config: shipped, batch: 512, precision: 'fp32' },
        ...(gpu.matmulF16 ? [{ name: 'shipped shape', config: shipped, batch: 512, precision: 'mixed' as const }] : []),
        { name: 'GPT-2 124M', config: gpt2, batch: 16, precision: 'fp32' },
        ...(gpu.matmulF16 ? [{ name: 'GPT-2 124M', config: gpt2, batch: 16, precision: 'mixed' as const }] : []),
      ];
  const rows: Array<Record<string, unknown>> = [];
  for (const r of runs) {
    const steps = quick ? 2 : r.config === gpt2 ? 5 : 20;
    // GPT-2 at batch 16 runs whole: its 3.3 GB of logits never exist (the loss is ops/linear-cross-entropy.ts,
    // 128 MiB of logits at a time). A run that fails anyway is reported with its error, not swapped for a smaller batch.
    const failure: { message?: string } = {};
    const mine = await guarded(`${r.name} batch ${r.batch} ${r.precision}`, () => train(r.config, r.batch, steps, r.precision), failure);
    const ref = torch('train', [...cfgArgs(r.config), '--batch-size', String(r.batch), '--precision', r.precision === 'mixed' ? 'bf16' : 'fp32', '--steps', String(steps)]);
    const theirs = ref?.tokensPerSecond ?? null;
    say(`  ${r.name}, batch ${r.batch}, ${r.precision}: moxing ${mine ? Math.round(mine) : '-'}`
      + (theirs ? `, pytorch eager ${r.precision === 'mixed' ? 'bf16 autocast' : 'fp32'} ${Math.round(theirs)}${mine ? ` -> ${(mine / theirs).toFixed(2)}x` : ''}` : ''));
    rows.push({ ...r, config: undefined, shape: `${r.config.nLayer}x${r.config.nEmbd} ctx ${r.config.blockSize} vocab ${r.config.vocabSize}`, moxing: mine, pytorch: theirs, ...(failure.message ? { error: failure.message } : {}) });
  }
  results.train = rows;
}

if (!only || only === 'decode') {
  say('\nKV-cache decoding, tokens/s (greedy; ids read back every step)');
  const rows: Array<Record<string, unknown>> = [];
  for (const batch of quick ? [1, 2] : [1, 32]) {
    const n = quick ? 4 : 100;
    const mine = await guarded(`decode batch ${batch}`, () => decode(shipped, batch, n));
    const ref = torch('generate', [...cfgArgs(shipped), '--batch-size', String(batch), '--new-tokens', String(n)]);
    const theirs = ref?.tokensPerSecond ?? null;
    say(`  batch ${batch}: moxing ${mine ? Math.round(mine) : '-'}${theirs ? `, pytorch eager ${Math.round(theirs)}${mine ? ` -> ${(mine / theirs).toFixed(2)}x` : ''}` : ''}`);
    rows.push({ batch, moxing: mine, pytorch: theirs });
  }
  results.decode = rows;
}

if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
say(`\n${JSON.stringify(results)}`);
process.exit(0);
