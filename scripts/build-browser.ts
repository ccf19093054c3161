// Builds moxing for browser pages: build/browser/moxing.js (one ES module, no Node built-ins) and
// the wasm kernels beside it. Run: npm run build:browser (after npm run build:wasm).
//
// The platform seams: a few files hold the only Node-specific code on the paths a page uses, and
// this build links browser versions in their place (same exports):
//   src/backends/wasm/threads.ts  -> src/browser/wasm-threads.ts  (worker_threads -> Web Workers)
//   src/backends/wasm/module.ts   -> src/browser/wasm-module.ts   (fs reads -> fetch + compile ahead)
//   src/backends/wasm/reclaim.ts  -> src/browser/wasm-reclaim.ts  (forced GC -> finalizers)
//   src/backends/blas/library.ts  -> src/browser/blas-none.ts     (koffi -> no BLAS)
//   src/backends/webgpu/gpu.ts    -> src/browser/webgpu-open.ts   (Dawn -> navigator.gpu)
// 'moxing:webgpu' is the webgpu backend when src/backends/webgpu/ exists, else a stub saying so.
// Other node: imports (file helpers a page never calls: Tokenizer.fromFile, loadRun) become a stub
// whose functions throw "not available in a browser"; globals such as TextDecoder pass through.

import { builtinModules } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p: string): string => join(root, p);
export const OUT_DIR = at('build/browser');

const SWAPS = new Map<string, string>([
  ['src/backends/wasm/threads.ts', 'src/browser/wasm-threads.ts'],
  ['src/backends/wasm/module.ts', 'src/browser/wasm-module.ts'],
  ['src/backends/wasm/reclaim.ts', 'src/browser/wasm-reclaim.ts'],
  ['src/backends/blas/library.ts', 'src/browser/blas-none.ts'],
  ['src/backends/webgpu/gpu.ts', 'src/browser/webgpu-open.ts'],
].map(([from, to]) => [at(from), at(to)]));

const STUB = '\0moxing-node-stub:';
const builtins = new Set(builtinModules);

function stubCode(name: string): string {
  return `const stub = new Proxy({}, { get(_, key) {
  if (key === '__esModule' || typeof key === 'symbol') return undefined;
  if (key in globalThis) return globalThis[key];
  return () => { throw new Error(${JSON.stringify(name)} + '.' + key + ' is not available in a browser'); };
} });
export default stub;`;
}

function moxingBrowser(): Plugin {
  return {
    name: 'moxing-browser',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'moxing:webgpu') {
        const gpu = at('src/backends/webgpu/index.ts');
        return existsSync(gpu) ? gpu : at('src/browser/webgpu-absent.ts');
      }
      if (source.startsWith('node:') || builtins.has(source)) return `${STUB}${source}`;
      if (importer && source.startsWith('.')) {
        const path = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
        const swap = SWAPS.get(path);
        if (swap) return swap;
      }
      return null;
    },
    load(id) {
      if (id.startsWith(STUB)) return { code: stubCode(id.slice(STUB.length)), syntheticNamedExports: 'default' };
      return null;
    },
  };
}

/** Bytes of the built module, raw and gzipped. */
export function bundleSize(): { bytes: number; gzipBytes: number; wasmBytes: number } {
  const js = readFileSync(join(OUT_DIR, 'moxing.js'));
  return { bytes: js.length, gzipBytes: gzipSync(js, { level: 9 }).length, wasmBytes: statSync(join(OUT_DIR, 'kernels.wasm')).size };
}

export async function buildBrowser(): Promise<void> {
  for (const f of ['kernels.wasm', 'kernels-relaxed.wasm']) {
    if (!existsSync(at(`build/${f}`))) throw new Error(`build/${f} is missing: run npm run build:wasm first`);
  }
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [moxingBrowser()],
    // Whatever reads process.env on a path a page runs sees no variables (src/backends uses envVar).
    define: { 'process.env': '{}' },
    build: {
      outDir: OUT_DIR,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      reportCompressedSize: false,
      lib: { entry: at('src/browser/index.ts'), formats: ['es'], fileName: () => 'moxing.js' },
      rollupOptions: {
        output: { inlineDynamicImports: true },
        // zod's comments that rollup cannot place: noise, not a problem.
        onwarn(warning, warn) {
          if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
        },
      },
    },
  });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const f of ['kernels.wasm', 'kernels-relaxed.wasm']) copyFileSync(at(`build/${f}`), join(OUT_DIR, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildBrowser();
  const s = bundleSize();
  console.log(`build/browser/moxing.js: ${(s.bytes / 1024).toFixed(1)} kB, ${(s.gzipBytes / 1024).toFixed(1)} kB gzipped; kernels.wasm ${(s.wasmBytes / 1024).toFixed(1)} kB`);
}
