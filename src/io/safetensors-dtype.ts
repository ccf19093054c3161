// safetensors element types, tensor entries, errors, and little-endian byte order.

/**
 * Element types this reader and writer handle (a subset of the format's).
 *
 * @example
 * const dtype: SafeDType = 'BF16';
 */
export type SafeDType = 'F32' | 'F64' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8';

/**
 * Element storage: F16 and BF16 are raw 16-bit patterns in a Uint16Array.
 *
 * @example
 * const bits: SafeTensorData = new Uint16Array([0x3c00]); // F16 1.0
 */
export type SafeTensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array;

/**
 * One tensor of a file: row-major `data` of `shape` (`[]` is a scalar).
 *
 * @example
 * const w: SafeTensor = { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) };
 */
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  data: SafeTensorData;
}

/**
 * What a file holds: tensors by name, and the free-form string map `__metadata__` ({} if absent).
 *
 * @example
 * const { tensors, metadata }: SafetensorsContents = decodeSafetensors(bytes);
 */
export interface SafetensorsContents {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

/**
 * Which part of a file (or of the input to the writer) an error is about.
 *
 * @example
 * if (err instanceof SafetensorsError && err.part === 'header length') console.log('not safetensors');
 */
export type SafetensorsPart = 'file' | 'header length' | 'header' | 'metadata' | 'tensor info' | 'data' | 'input';

/**
 * A malformed file, or input the writer refuses. `part` and `tensor` locate the problem.
 *
 * @example
 * try { decodeSafetensors(bytes); } catch (e) { if (e instanceof SafetensorsError) console.log(e.part, e.tensor); }
 */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  readonly part: SafetensorsPart;
  readonly tensor: string | undefined;
  readonly path: string | undefined;
  /** The message without its location prefix. */
  readonly detail: string;

  constructor(
    part: SafetensorsPart,
    detail: string,
    where: { tensor?: string; path?: string } = {},
  ) {
    const file = where.path === undefined ? '' : `${where.path}: `;
    const tensor = where.tensor === undefined ? '' : ` (tensor ${quote(where.tensor)})`;
    super(`${file}safetensors ${part}${tensor}: ${detail}`);
    this.part = part;
    this.tensor = where.tensor;
    this.path = where.path;
    this.detail = detail;
  }
}

/** @internal A name for a message: JSON-quoted, cut short if a garbage file made it huge. */
export function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 80 ? `${q.slice(0, 77)}..."` : q;
}

type ArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor;

/**
 * @internal Per dtype: bytes per element, typed array, and `rank`, the position in the reference's
 * Dtype enum (increasing alignment): the writer puts higher ranks first, so every tensor starts
 * aligned to its element size once the header is padded.
 */
export const DTYPES: Record<SafeDType, { size: number; rank: number; array: ArrayCtor }> = {
  U8: { size: 1, rank: 0, array: Uint8Array },
  F16: { size: 2, rank: 1, array: Uint16Array },
  BF16: { size: 2, rank: 2, array: Uint16Array },
  I32: { size: 4, rank: 3, array: Int32Array },
  F32: { size: 4, rank: 4, array: Float32Array },
  F64: { size: 8, rank: 5, array: Float64Array },
  I64: { size: 8, rank: 6, array: BigInt64Array },
};

/**
 * The reference reader refuses headers above this size (100 MB), and so do we.
 *
 * @example
 * if (headerBytes > MAX_HEADER_BYTES) throw new Error('header too large');
 */
export const MAX_HEADER_BYTES = 100_000_000;

/** Whether this machine stores numbers little-endian (the file format always is). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Whether a string names a supported dtype.
 *
 * @example
 * isSafeDType('BF16'); // true
 * isSafeDType('I8');   // false
 */
export function isSafeDType(value: unknown): value is SafeDType {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/**
 * Bytes per element of a dtype.
 *
 * @example
 * safeDTypeSize('BF16'); // 2
 */
export function safeDTypeSize(dtype: SafeDType): number {
  return DTYPES[dtype].size;
}

/** @internal Elements in a shape, or a message saying why the shape is invalid. */
export function countElements(shape: unknown): number | string {
  if (!Array.isArray(shape)) return `shape must be an array of integers, got ${describe(shape)}`;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return `shape must hold non-negative integers, got ${describe(d)} in ${describe(shape)}`;
    }
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return `shape ${describe(shape)} has too many elements`;
  }
  return n;
}

/** @internal A short JSON-ish rendering of a value for error messages. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reverses the bytes of each `size`-byte element in place (little-endian <-> big-endian). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * The bytes of `data` in little-endian order, bit for bit (NaN payloads included): a view of the
 * array itself on little-endian hosts, a byte-swapped copy on big-endian ones.
 * @internal exported so tests can run the big-endian path on little-endian hosts.
 */
export function littleEndianBytes(
  data: SafeTensorData,
  dtype: SafeDType,
  hostLittleEndian = HOST_LITTLE_ENDIAN,
): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (hostLittleEndian) return bytes;
  const copy = new Uint8Array(bytes);
  swapBytes(copy, DTYPES[dtype].size);
  return copy;
}

/**
 * A typed array of `dtype` over `owned`, little-endian bytes the caller hands over (swapped in
 * place on big-endian hosts). `owned` must start its buffer, so the array is aligned.
 * @internal exported so tests can run the big-endian path on little-endian hosts.
 */
export function adoptLittleEndian(
  owned: Uint8Array,
  dtype: SafeDType,
  hostLittleEndian = HOST_LITTLE_ENDIAN,
): SafeTensorData {
  const { size, array } = DTYPES[dtype];
  if (!hostLittleEndian) swapBytes(owned, size);
  return new array(owned.buffer as ArrayBuffer, owned.byteOffset, owned.length / size);
}
