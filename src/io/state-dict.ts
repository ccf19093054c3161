// State dicts (name -> Tensor) to and from safetensors files, optionally stored in half precision.

import { Tensor } from '../tensor/tensor.js';
import { fromFloat32, toFloat32 } from './half.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';
import { SafetensorsError, type SafeTensor } from './safetensors-dtype.js';

export type StorageDType = 'F32' | 'F16' | 'BF16';

export interface SaveStateDictOptions {
  /** Storage precision of float32 tensors (float64 and int32 are kept as they are). Default F32. */
  dtype?: StorageDType;
  metadata?: Record<string, string>;
}

/** Converts tensors to safetensors entries (no copy for F32, F64 and I32). */
export function toSafeTensors(state: Record<string, Tensor>, dtype: StorageDType = 'F32'): Record<string, SafeTensor> {
  const out = Object.create(null) as Record<string, SafeTensor>; // any name, __proto__ included, is a key
  for (const [name, t] of Object.entries(state)) {
    const shape = [...t.shape];
    const data = t.dataSync(); // host values: saveStateDict reads device tensors first
    if (data instanceof Float32Array) out[name] = fromFloat32(data, shape, dtype);
    else if (data instanceof Float64Array) out[name] = { dtype: 'F64', shape, data };
    else out[name] = { dtype: 'I32', shape, data };
  }
  return out;
}

/** Converts safetensors entries to tensors: floats become float32 (float64 stays), I32 stays int32. */
export function fromSafeTensors(entries: Record<string, SafeTensor>, file = 'safetensors'): Record<string, Tensor> {
  // No prototype: a tensor named __proto__ would otherwise be an assignment to it, and be lost.
  const out: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  for (const [name, e] of Object.entries(entries)) {
    if (e.dtype === 'F64') out[name] = new Tensor(e.data as Float64Array, e.shape);
    else if (e.dtype === 'I32') out[name] = new Tensor(e.data as Int32Array, e.shape);
    else if (e.dtype === 'F32' || e.dtype === 'F16' || e.dtype === 'BF16') out[name] = new Tensor(toFloat32(e), e.shape);
    else if (e.dtype === 'I64') out[name] = new Tensor(int64ToInt32(e.data as BigInt64Array, name, file), e.shape);
    else throw new SafetensorsError('header', `dtype ${e.dtype} is not a weight type`, { tensor: name, path: file });
  }
  return out;
}

/** I64 values as int32 (the widest integer tensor type), exactly; one past its range is an error. */
function int64ToInt32(data: BigInt64Array, tensor: string, file: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // Int32Array would store the value modulo 2^32: 2^31 silently becomes -2^31.
    if (v < -2147483648n || v > 2147483647n) {
      throw new SafetensorsError('data', `I64 value ${v} at index ${i} does not fit int32 (the type I64 tensors load as: [-2147483648, 2147483647])`, { tensor, path: file });
    }
    out[i] = Number(v);
  }
  return out;
}

/**
 * Writes a state dict atomically as safetensors.
 * @example await saveStateDict('model.safetensors', model.stateDict(), { dtype: 'BF16' })
 */
export async function saveStateDict(path: string, state: Record<string, Tensor>, options: SaveStateDictOptions = {}): Promise<void> {
  await saveSafetensors(path, toSafeTensors(await onHost(state), options.dtype), options.metadata);
}

/**
 * Reads a safetensors file into tensors (validated: a malformed file throws SafetensorsError).
 * @example model.loadStateDict((await loadStateDict('model.safetensors')).tensors)
 */
export async function loadStateDict(path: string): Promise<{ tensors: Record<string, Tensor>; metadata: Record<string, string> }> {
  const { tensors, metadata } = await loadSafetensors(path);
  return { tensors: fromSafeTensors(tensors, path), metadata };
}

/** The same tensors with host-readable storage: tensors on a device are read (awaited) to cpu. */
export async function onHost(state: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const out = Object.create(null) as Record<string, Tensor>;
  for (const [name, t] of Object.entries(state)) {
    out[name] = t.dev.hostView(t.storage) ? t : new Tensor(await t.data(), t.shape);
  }
  return out;
}
