// The few WebAssembly JS-API types the backend uses (the project's lib is ES2022 without DOM types).

/** A shared WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled module (opaque; cloneable to workers). */
export type WasmModule = object;

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/**
 * The global WebAssembly object, typed locally.
 * @example const mem = wasmApi.Memory && new wasmApi.Memory({ initial: 1, maximum: 16, shared: true });
 */
export const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
