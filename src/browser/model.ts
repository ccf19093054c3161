// A model in a browser page: the shipped GPT and tokenizer, fetched from /models/<name>/, running
// and training on webgpu, wasm or js through the same src/llm code as Node (generate, classify,
// the GPT's forward and backward, AdamW).

import { Tensor } from '../tensor/tensor.js';
import { initBackends } from '../backends/index.js';
import type { HeapStats } from '../backends/wasm/heap.js';
import type { WasmRuntime } from '../backends/wasm/runtime.js';
import { setBackend, activeBackendName } from '../backends/registry.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { fromSafeTensors } from '../io/state-dict.js';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from '../llm/gpt.js';
import { validateConfig } from '../llm/config.js';
import type { RunConfig } from '../llm/run-dir.js';
import { generate as generateTokens } from '../llm/generate.js';
import { GPTClassifier, type ClassifyResult, type ClassifyTask } from '../llm/classify.js';
import { finetuneOnTexts } from '../llm/finetune-text.js';
import { initWebGpu } from 'moxing:webgpu';
import { fetchKernelModule } from './wasm-module.js';
import { fetchOk, installSetImmediate, web } from './web-api.js';
import type {
  BackendInfo, BrowserBackend, BrowserFinetuneOptions, BrowserGenerateOptions, BrowserGenerateResult, BrowserModelApi, LoadModelOptions,
} from './api-types.js';

let wasmThreads = 1;
let wasmRelaxed = false;
let wasmRuntime: WasmRuntime | null = null;

const RELIEVE_ABOVE_BYTES = 256 * 2 ** 20;

/**
 * After a training step: past 256 MiB of live wasm heap, ask for a collection (in a page, a nudge
 * to V8's collector: src/browser/wasm-reclaim.ts), so the heap stays near what a step needs.
 */
function relieveHeap(): void {
  if (wasmRuntime && wasmRuntime.heap.stats().liveBytes > RELIEVE_ABOVE_BYTES) wasmRuntime.heap.collect();
}

/**
 * Live, free and top bytes of the wasm heap (tensor storage), or null before a wasm model loaded:
 * how a page sees that training memory stays bounded.
 * @example wasmHeapStats()?.liveBytes
 */
export function wasmHeapStats(): HeapStats | null {
  return wasmRuntime?.heap.stats() ?? null;
}

/** Readies a backend once per page and makes it the default for new tensors. */
async function useBackend(backend: BrowserBackend, wasmBase: string): Promise<void> {
  installSetImmediate();
  if (backend === 'js') {
    setBackend('js');
  } else if (backend === 'wasm') {
    wasmRelaxed = (await fetchKernelModule(wasmBase)).relaxed;
    const { wasm } = initBackends();
    if (!wasm) throw new Error('the wasm backend did not start in this browser');
    wasmRuntime = wasm.runtime;
    wasmThreads = await wasm.runtime.startThreads();
    setBackend('wasm');
  } else if (backend === 'webgpu') {
    const { backend: gpu, reason } = await initWebGpu();
    if (!gpu) throw new Error(`webgpu unavailable: ${reason}`);
    setBackend('webgpu');
  } else {
    throw new Error(`loadModel: unknown backend '${String(backend)}' (webgpu, wasm or js)`);
  }
}

async function fetchJson(url: string, headers?: Record<string, string>): Promise<unknown> {
  const res = await fetchOk(url, headers);
  try {
    return await res.json();
  } catch (err) {
    throw new Error(`${url}: not valid JSON (${(err as Error).message})`);
  }
}

async function fetchTensors(url: string, headers?: Record<string, string>): Promise<Record<string, Tensor>> {
  const bytes = new Uint8Array(await (await fetchOk(url, headers)).arrayBuffer());
  return fromSafeTensors(decodeSafetensors(bytes).tensors, url);
}

/**
 * A GPT (and its classification head, for classifier models) loaded into the page.
 * @example
 * const m = await loadModel('/models/moxing-base', { backend: 'wasm' });
 * (await m.generate('It is a truth universally', { maxNewTokens: 20, temperature: 0 })).tokens
 */
export class BrowserModel implements BrowserModelApi {
  private classifier: GPTClassifier | null = null;

  constructor(
    readonly url: string,
    readonly config: RunConfig,
    readonly tokenizer: Tokenizer,
    readonly model: GPT,
    readonly backend: BrowserBackend,
    head: Record<string, Tensor> | null,
  ) {
    const task = config.task as ClassifyTask | undefined;
    if (task?.type === 'classify' && head) {
      this.classifier = new GPTClassifier(model, tokenizer, task);
      this.classifier.head.loadStateDict(head);
    }
  }

  /** The backend, its threads and SIMD build, and whether the page is cross-origin isolated. */
  info(): BackendInfo {
    return {
      backend: this.backend,
      threads: this.backend === 'wasm' ? wasmThreads : 1,
      relaxedSimd: this.backend === 'wasm' && wasmRelaxed,
      crossOriginIsolated: web.crossOriginIsolated === true,
    };
  }

  /** The labels of a classifier model, or null. */
  labels(): string[] | null {
    return this.classifier ? [...this.classifier.task.labels] : null;
  }

  /**
   * Continues a prompt: the same ids as `moxing generate "<prompt>" --temperature 0 --json` at
   * temperature 0 (stops at <|endoftext|>, as the CLI does).
   */
  async generate(prompt: string, options: BrowserGenerateOptions = {}, onToken?: (id: number) => void): Promise<BrowserGenerateResult> {
    this.activate();
    const ids = this.tokenizer.encode(prompt);
    if (ids.length === 0) throw new Error('generate: the prompt is empty');
    const eot = this.tokenizer.tokenToId('<|endoftext|>');
    const tokens: number[] = [];
    const t0 = performance.now();
    for await (const t of generateTokens(this.model, ids, {
      maxNewTokens: options.maxNewTokens ?? 64, temperature: options.temperature ?? 0.8, topK: options.topK, topP: options.topP,
      seed: options.seed ?? 0, stopTokens: eot === undefined ? [] : [eot],
    })) {
      tokens.push(t.id);
      onToken?.(t.id);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { text: this.tokenizer.decode(tokens), tokens, tokensPerSecond: tokens.length / seconds };
  }

  /** The label and per-label probabilities of a text (classifier models: config.task.type 'classify'). */
  async classify(text: string): Promise<ClassifyResult> {
    if (!this.classifier) throw new Error(`${this.url}: not a classification model (its config.json has no classify task)`);
    this.activate();
    const clf = this.classifier;
    // GPTClassifier.classify reads each batch's probabilities once, on either backend.
    const [result] = await clf.classify([text]);
    return result!;
  }

  /**
   * Fine-tunes the model in the page on `texts` (next-token loss); returns each step's loss.
   * The weights change in place: generate afterwards continues in the style of the texts.
   */
  async finetune(texts: readonly string[], options: BrowserFinetuneOptions): Promise<{ losses: number[] }> {
    this.activate();
    const losses = await finetuneOnTexts(this.model, this.tokenizer, texts, {
      steps: options.steps, lr: options.lr, batchSize: options.batchSize, blockSize: options.blockSize, seed: options.seed,
      onStep: (step) => {
        relieveHeap();
        options.onProgress?.(step);
      },
      signal: options.signal,
    });
    return { losses };
  }

  private activate(): void {
    // Another model in the page may have chosen another backend for new tensors.
    if (activeBackendName() !== this.backend) setBackend(this.backend);
  }
}

/**
 * Loads a model served by `moxing serve` (config.json, tokenizer.json, model.safetensors and,
 * for classifiers, head.safetensors under `baseUrl`).
 * @example const m = await loadModel('/models/moxing-base', { backend: 'wasm' });
 */
export async function loadModel(baseUrl: string, options: LoadModelOptions = {}): Promise<BrowserModel> {
  const backend = options.backend ?? 'wasm';
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const h = options.headers;
  const [config, tokenizerJson] = await Promise.all([fetchJson(`${base}config.json`, h), fetchJson(`${base}tokenizer.json`, h)]);
  const run = config as RunConfig;
  if (run?.kind !== 'gpt' || typeof run.model !== 'object') throw new Error(`${base}config.json: not a moxing GPT config`);
  try {
    validateConfig(run.model);
  } catch (err) {
    throw new Error(`${base}config.json: ${(err as Error).message}`);
  }
  const tokenizer = Tokenizer.fromJSON(tokenizerJson);
  // Beside moxing.js (a string operation: bundlers rewrite `new URL(..., import.meta.url)`).
  await useBackend(backend, options.wasmBase ?? import.meta.url.replace(/[^/]*$/, ''));
  const weights = await fetchTensors(`${base}model.safetensors`, h);
  const model = new GPT(run.model);
  try {
    model.loadStateDict(weights);
  } catch (err) {
    throw new Error(`${base}model.safetensors: ${(err as Error).message}`);
  }
  model.eval();
  const isClassifier = (run.task as { type?: string } | undefined)?.type === 'classify';
  const head = isClassifier ? await fetchTensors(`${base}head.safetensors`, h) : null;
  return new BrowserModel(base, run, tokenizer, model, backend, head);
}
