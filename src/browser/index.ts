// moxing in a browser page: one ES module (built by scripts/build-browser.ts into
// build/browser/moxing.js, served by `moxing serve` at /moxing.js) that loads a served model and
// generates, classifies and fine-tunes it on webgpu, wasm SIMD (threads when the page is
// cross-origin isolated) or js.
//
//   import { loadModel } from '/moxing.js';
//   const m = await loadModel('/models/moxing-base', { backend: 'wasm' });
//   const { text, tokens } = await m.generate('It is a truth universally', { maxNewTokens: 20, temperature: 0 });

export { loadModel, BrowserModel, wasmHeapStats } from './model.js';
export { wasmHeapNudgedBytes } from './wasm-reclaim.js';
export type {
  BrowserBackend, LoadModelOptions, BrowserGenerateOptions, BrowserGenerateResult, BrowserFinetuneOptions, BackendInfo,
  FinetuneProgress, BrowserModelApi, MoxingBrowserModule,
} from './api-types.js';
export type { ClassifyResult } from '../llm/classify.js';
export { Tensor } from '../tensor/tensor.js';
export { tensor } from '../tensor/create.js';
export { availableBackends, setBackend } from '../backends/registry.js';
