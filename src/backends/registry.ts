// Backend selection: setBackend('blas' | 'wasm' | 'js'), MOXING_BACKEND, and op-by-op fallback to js.

import type { Backend, Kernels } from './backend.js';
import { jsBackend } from './js/index.js';
import type { DType, TypedArray } from '../tensor/dtype.js';

const registered = new Map<string, Backend>([['js', jsBackend]]);
/** Backends in the order the default selection tries them for each kernel (fastest first). */
let preference: Backend[] = [jsBackend];
let explicit: Backend | null = null;

/**
 * Makes a backend available. `rank` orders the default choice: lower is tried first.
 * Fast backends register themselves from `backends/index.ts` (an explicit list, no import side effects elsewhere).
 */
export function registerBackend(backend: Backend, rank: number): void {
  registered.set(backend.name, backend);
  ranks.set(backend.name, rank);
  preference = [...registered.values()].sort((a, b) => (ranks.get(a.name) ?? 99) - (ranks.get(b.name) ?? 99));
  rebuild();
}
const ranks = new Map<string, number>([['js', 100]]);

/** Names of the backends available in this process. */
export function availableBackends(): string[] {
  return preference.map((b) => b.name);
}

/**
 * Chooses the backend for every op (kernels it lacks still fall back to js), or `null`/'auto' for
 * the default: the fastest available backend for each kernel.
 * @example setBackend('js') // the reference loops, e.g. to check a fast kernel
 */
export function setBackend(name: string | null): void {
  if (name === null || name === 'auto') {
    explicit = null;
  } else {
    const b = registered.get(name);
    if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${availableBackends().join(', ')})`);
    explicit = b;
  }
  rebuild();
}

/** The backend chosen with setBackend, or the first of the default order. */
export function getBackend(): Backend {
  return explicit ?? preference[0];
}

type KernelName = keyof Kernels;
type Chain = { [K in KernelName]: Array<Kernels[K]> };
let chains: Chain = buildChains();

function buildChains(): Chain {
  const order = explicit ? (explicit === jsBackend ? [jsBackend] : [explicit, jsBackend]) : preference;
  const names = Object.keys(jsBackend.kernels) as KernelName[];
  const out = {} as Record<KernelName, unknown[]>;
  for (const name of names) {
    out[name] = order.map((b) => b.kernels[name]).filter((k) => k !== undefined);
  }
  return out as Chain;
}

function rebuild(): void {
  chains = buildChains();
}

/**
 * Runs a kernel on the first backend that handles the call; js always does.
 * @example runKernel('softmax', x, out, rows, cols, false)
 */
export function runKernel<K extends KernelName>(name: K, ...args: Parameters<Kernels[K]>): void {
  const chain = chains[name] as Array<(...a: Parameters<Kernels[K]>) => boolean>;
  for (const k of chain) if (k(...args)) return;
  throw new Error(`kernel ${name}: no backend handled the call`);
}

/** Allocates tensor storage from the active backend (so fast kernels work on it in place). */
export function allocStorage(dtype: DType, size: number, uninitialized = false): TypedArray {
  return getBackend().alloc(dtype, size, uninitialized);
}

const parents = new WeakMap<object, object>();

/**
 * x.subarray(begin, end) that keeps x alive as long as the subarray is: for a view that outlives
 * its parent (a tensor sliced without a copy). A plain subarray of backend storage does not keep its
 * block from being freed and reused once the parent view is garbage.
 * @example const rows = retainingSubarray(x.data, 0, 10 * cols);
 */
export function retainingSubarray<T extends TypedArray>(x: T, begin: number, end: number): T {
  const child = x.subarray(begin, end) as T;
  parents.set(child, x);
  return child;
}

/** Applies MOXING_BACKEND once the fast backends have registered. */
export function applyBackendFromEnv(): void {
  const name = process.env.MOXING_BACKEND;
  if (name) setBackend(name);
}
