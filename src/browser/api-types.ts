// The browser module's API as plain types (no imports), so the dashboard (web/, compiled with the
// DOM's lib) can type what it loads from /moxing.js without compiling the library.

/** Where a model runs in the page. */
export type BrowserBackend = 'webgpu' | 'wasm' | 'js';

export interface LoadModelOptions {
  /** Default 'wasm'. */
  backend?: BrowserBackend;
  /** Where kernels.wasm is served (default: beside moxing.js). */
  wasmBase?: string;
  /** Sent with each model file request, e.g. `{ Authorization: 'Bearer <key>' }` for a server started with --api-key. */
  headers?: Record<string, string>;
}

export interface BrowserGenerateOptions {
  /** Default 64. */
  maxNewTokens?: number;
  /** 0 is greedy. Default 0.8, as `moxing generate`. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

export interface BrowserGenerateResult {
  text: string;
  tokens: number[];
  tokensPerSecond: number;
}

/** One fine-tune step's report. */
export interface FinetuneProgress {
  step: number;
  total: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
}

export interface BrowserFinetuneOptions {
  steps: number;
  lr?: number;
  batchSize?: number;
  blockSize?: number;
  seed?: number;
  /** After every step: its loss and throughput (draw a curve with it). */
  onProgress?: (step: FinetuneProgress) => void;
  signal?: AbortSignal;
}

/** What the page runs on, for display. */
export interface BackendInfo {
  backend: BrowserBackend;
  /** Kernel threads (wasm: more than one only in a cross-origin isolated page). */
  threads: number;
  /** wasm: the relaxed-SIMD (FMA) build. */
  relaxedSimd: boolean;
  crossOriginIsolated: boolean;
}

export interface ClassifyOutput {
  label: string;
  scores: Record<string, number>;
}

/** A model loaded into the page. */
export interface BrowserModelApi {
  info(): BackendInfo;
  labels(): string[] | null;
  generate(prompt: string, options?: BrowserGenerateOptions, onToken?: (id: number) => void): Promise<BrowserGenerateResult>;
  classify(text: string): Promise<ClassifyOutput>;
  finetune(texts: readonly string[], options: BrowserFinetuneOptions): Promise<{ losses: number[] }>;
}

/** What `import('/moxing.js')` gives (the part a page needs). */
export interface MoxingBrowserModule {
  loadModel(baseUrl: string, options?: LoadModelOptions): Promise<BrowserModelApi>;
  wasmHeapStats(): { liveBytes: number; freeBytes: number; topBytes: number; fallbacks: number } | null;
}
