// The kernel module in a browser page: fetched from beside moxing.js and compiled before the wasm
// backend starts (a page may not compile a module this size synchronously on its main thread).
// Swapped in for src/backends/wasm/module.ts by the browser build.

import type { KernelModule } from '../backends/wasm/module.js';
import { wasmApi } from '../backends/wasm/wasm-api.js';
import { fetchOk } from './web-api.js';

let compiled: KernelModule | null = null;

interface AsyncWasm {
  compile(bytes: ArrayBuffer): Promise<object>;
}

/**
 * Fetches and compiles the kernels served at `base` (kernels-relaxed.wasm when the browser
 * validates relaxed SIMD, else kernels.wasm); loadKernelModule returns them from then on.
 * @example await fetchKernelModule(new URL('./', import.meta.url).href)
 */
export async function fetchKernelModule(base: string): Promise<KernelModule> {
  if (compiled) return compiled;
  const compile = (wasmApi as unknown as AsyncWasm).compile;
  for (const [file, relaxed] of [['kernels-relaxed.wasm', true], ['kernels.wasm', false]] as const) {
    const url = new URL(file, base).href;
    let bytes: ArrayBuffer;
    try {
      bytes = await (await fetchOk(url)).arrayBuffer();
    } catch (err) {
      if (relaxed) continue; // the plain build is enough
      throw err;
    }
    if (!wasmApi.validate(new Uint8Array(bytes))) {
      if (relaxed) continue;
      throw new Error(`${url}: this browser cannot run the wasm kernels (they need WebAssembly SIMD)`);
    }
    compiled = { module: await compile.call(wasmApi, bytes), relaxed, path: url };
    return compiled;
  }
  throw new Error(`no wasm kernels at ${base}`);
}

/** The kernels fetched by fetchKernelModule (the wasm backend's synchronous entry). */
export function loadKernelModule(): KernelModule {
  if (!compiled) throw new Error('wasm kernels not loaded yet: loadModel(..., { backend: "wasm" }) fetches them first');
  return compiled;
}

/** There is no build folder in a page: the kernels are URLs. */
export function wasmBuildDir(): string {
  throw new Error('wasmBuildDir: not available in a browser');
}
