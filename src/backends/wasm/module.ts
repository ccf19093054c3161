// Finds and compiles the built kernels (build/kernels*.wasm), choosing the relaxed-SIMD build when the runtime runs it.
// Node's loader (files); the browser build swaps it for src/browser/wasm-module.ts (fetched, compiled ahead).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmApi, type WasmModule } from './wasm-api.js';
import { envVar } from '../env.js';

/** The kernel exports (pointers are byte addresses into the shared memory; bools are 0/1). */
export interface KernelExports {
  gemmScratchBytes(): number;
  zero(ptr: number, bytes: number): void;
  matmul(
    a: number, b: number, out: number, m: number, n: number, k: number, transA: number, transB: number,
    aStride: number, bStride: number, accumulate: number,
    b0: number, b1: number, i0: number, i1: number, j0: number, j1: number, scratch: number,
  ): void;
  unary(op: number, x: number, out: number, n: number): void;
  linearInt8(
    x: number, q: number, scale: number, bias: number, out: number,
    rows: number, nIn: number, nOut: number, j0: number, j1: number,
  ): void;
  unaryBackward(op: number, x: number, g: number, out: number, n: number): void;
  matvecT(x: number, w: number, out: number, rows: number, n: number, k: number, accumulate: number, j0: number, j1: number): void;
  attendCached(q: number, kc: number, vc: number, out: number, limit: number, d: number, scale: number, scores: number): void;
  binary(op: number, a: number, b: number, out: number, n: number): void;
  addInto(x: number, out: number, n: number): void;
  adamw(
    param: number, grad: number, m: number, v: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, decay: number, bc1: number, bc2: number,
  ): void;
  softmax(x: number, out: number, rows: number, cols: number, log: number): void;
  layerNorm(
    x: number, weight: number, bias: number, out: number, mean: number, rstd: number,
    rows: number, cols: number, eps: number,
  ): void;
  layerNormBackward(
    x: number, weight: number, mean: number, rstd: number, dy: number, dx: number,
    dWeight: number, dBias: number, rows: number, cols: number,
  ): void;
  crossEntropyBackward(
    probs: number, targets: number, rowScale: number, dx: number, rows: number, cols: number, ignoreIndex: number,
  ): void;
  crossEntropy(
    logits: number, targets: number, losses: number, probs: number, rows: number, cols: number, ignoreIndex: number,
  ): void;
  attention(
    q: number, k: number, v: number, out: number, att: number,
    h0: number, h1: number, t: number, d: number, scale: number, causal: number,
    heads: number, ldIn: number, ldOut: number, scratch: number,
  ): void;
  attentionBackward(
    q: number, k: number, v: number, att: number, dOut: number, dq: number, dk: number, dv: number,
    h0: number, h1: number, t: number, d: number, scale: number, causal: number,
    heads: number, ldIn: number, ldOut: number, scratch: number, tmp: number,
  ): void;
  embedding(table: number, ids: number, out: number, count: number, dim: number): void;
  embeddingBackward(g: number, ids: number, dTable: number, count: number, dim: number): void;
}

/** The compiled kernels and which build they came from. */
export interface KernelModule {
  module: WasmModule;
  relaxed: boolean;
  path: string;
}

/**
 * Directory of the built .wasm files: <package root>/build, from src/ (tsx) and dist/ alike.
 * @example join(wasmBuildDir(), 'kernels.wasm')
 */
export function wasmBuildDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', 'build');
}

/**
 * Compiles the kernels: the relaxed-SIMD build (FMA) when the runtime validates it and
 * MOXING_WASM_RELAXED is not 0, else the plain SIMD build. Throws a clear error if not built.
 * @example const { module, relaxed } = loadKernelModule();
 */
export function loadKernelModule(): KernelModule {
  const dir = wasmBuildDir();
  const plain = join(dir, 'kernels.wasm');
  const relaxedPath = join(dir, 'kernels-relaxed.wasm');
  if (!existsSync(plain)) {
    throw new Error(`wasm kernels not found at ${plain}: run \`npm run build\` (or \`npm run build:wasm\`)`);
  }
  if (envVar('MOXING_WASM_RELAXED') !== '0' && existsSync(relaxedPath)) {
    const bytes = readFileSync(relaxedPath);
    // Node 20 validates relaxed-SIMD opcodes only under --experimental-wasm-relaxed-simd.
    if (wasmApi.validate(bytes)) return { module: new wasmApi.Module(bytes), relaxed: true, path: relaxedPath };
  }
  const bytes = readFileSync(plain);
  if (!wasmApi.validate(bytes)) throw new Error(`wasm kernels at ${plain} need WebAssembly SIMD, which this runtime lacks`);
  return { module: new wasmApi.Module(bytes), relaxed: false, path: plain };
}
