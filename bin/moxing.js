#!/usr/bin/env node
// The moxing command: runs the compiled CLI (npm run build, run by npm ci through "prepare").
import { setFlagsFromString } from 'node:v8';

// Node 20 runs relaxed-SIMD wasm (FMA: ~1.3x faster GEMM) only under --experimental-wasm-relaxed-simd.
// The CLI owns its process, so it turns the flag on before any module is compiled; that costs
// nothing, where re-executing node would cost a second start. Node >= 22 has it on by default.
if (Number(process.versions.node.split('.')[0]) < 22 && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // The plain-SIMD kernels run anyway.
  }
}

import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(`moxing: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
