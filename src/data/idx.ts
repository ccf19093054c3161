// IDX files (the MNIST / Fashion-MNIST format, LeCun et al.): big-endian header, then a dense array; gzip is detected.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Element types of the IDX format, by their type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 }, 0x09: { type: 'int8', bytes: 1 }, 0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 }, 0x0d: { type: 'float32', bytes: 4 }, 0x0e: { type: 'float64', bytes: 8 },
};

/** An IDX array: its element type, shape and values in row-major order. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** A malformed IDX file (bad magic, unknown type, truncated data). */
export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

/**
 * Parses IDX bytes (gzip-compressed or not). Magic: two zero bytes, the type byte, the number of
 * dimensions; then each dimension as a big-endian uint32; then the values, big-endian.
 * @example parseIdx(readFileSync('train-labels-idx1-ubyte')).shape // [60000]
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4) throw new IdxFormatError(`${source}: too short for an IDX header (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new IdxFormatError(`${source}: not an IDX file (magic starts ${buf[0]}, ${buf[1]}; expected 0, 0)`);
  const t = TYPES[buf[2]!];
  if (!t) throw new IdxFormatError(`${source}: unknown IDX element type 0x${buf[2]!.toString(16)}`);
  const ndim = buf[3]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const header = 4 + 4 * ndim;
  if (buf.length < header) throw new IdxFormatError(`${source}: truncated header (${ndim} dimensions need ${header} bytes)`);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  const need = header + size * t.bytes;
  if (buf.length < need) throw new IdxFormatError(`${source}: truncated data: shape [${shape.join(', ')}] needs ${need} bytes, the file has ${buf.length}`);
  let data: IdxArray['data'];
  switch (t.type) {
    // Copies: a Node Buffer's slice() would be a view that keeps the whole file alive.
    case 'uint8': data = new Uint8Array(buf.subarray(header, need)); break;
    case 'int8': data = new Int8Array(buf.buffer, buf.byteOffset + header, size).slice(); break;
    case 'int16': data = Int16Array.from({ length: size }, (_, i) => view.getInt16(header + 2 * i, false)); break;
    case 'int32': data = Int32Array.from({ length: size }, (_, i) => view.getInt32(header + 4 * i, false)); break;
    case 'float32': data = Float32Array.from({ length: size }, (_, i) => view.getFloat32(header + 4 * i, false)); break;
    case 'float64': data = Float64Array.from({ length: size }, (_, i) => view.getFloat64(header + 8 * i, false)); break;
  }
  return { type: t.type, shape, data };
}

/**
 * Reads an IDX file (`.gz` or plain).
 * @example const images = readIdx('fashion_mnist/small/train-images-idx3-ubyte.gz'); // shape [10000, 28, 28]
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new IdxFormatError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return parseIdx(bytes, path);
}

/**
 * Builds IDX bytes (uncompressed) from an array: the inverse of {@link parseIdx}, for tests and exports.
 * @example parseIdx(encodeIdx({ type: 'uint8', shape: [2], data: Uint8Array.of(3, 4) })).data // [3, 4]
 */
export function encodeIdx(a: IdxArray): Uint8Array {
  const found = Object.keys(TYPES).find((k) => TYPES[Number(k)]!.type === a.type);
  if (found === undefined) throw new Error(`encodeIdx: type must be one of ${Object.values(TYPES).map((t) => t.type).join(', ')}, got ${JSON.stringify(a.type)}`);
  const code = Number(found);
  const bytes = TYPES[code]!.bytes;
  // A file its own reader rejects (or values stored modulo 256) is worse than no file.
  const count = a.shape.reduce((n, d) => n * d, 1);
  if (a.data.length !== count) throw new Error(`encodeIdx: data has ${a.data.length} values, shape [${a.shape.join(', ')}] holds ${count}`);
  const range: Partial<Record<IdxType, [number, number]>> = { uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1] };
  const lim = range[a.type];
  if (lim) {
    for (let i = 0; i < a.data.length; i++) {
      const v = a.data[i]!;
      if (!(Number.isInteger(v) && v >= lim[0] && v <= lim[1])) throw new Error(`encodeIdx: value ${v} at ${i} does not fit ${a.type} (${lim[0]}..${lim[1]})`);
    }
  }
  const header = 4 + 4 * a.shape.length;
  const out = new Uint8Array(header + a.data.length * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = a.shape.length;
  a.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < a.data.length; i++) {
    const o = header + i * bytes;
    const v = a.data[i]!;
    switch (a.type) {
      case 'uint8': view.setUint8(o, v); break;
      case 'int8': view.setInt8(o, v); break;
      case 'int16': view.setInt16(o, v, false); break;
      case 'int32': view.setInt32(o, v, false); break;
      case 'float32': view.setFloat32(o, v, false); break;
      case 'float64': view.setFloat64(o, v, false); break;
    }
  }
  return out;
}
