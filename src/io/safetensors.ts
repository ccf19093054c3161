// safetensors (Hugging Face): u64 little-endian header length, JSON header, then raw little-endian tensor bytes.

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { writeFileAtomic } from './atomic-write.js';
import {
  countElements,
  describe,
  DTYPES,
  isSafeDType,
  MAX_HEADER_BYTES,
  adoptLittleEndian,
  littleEndianBytes,
  quote,
  SafetensorsError,
} from './safetensors-dtype.js';
import type { SafeDType, SafeTensor, SafetensorsContents } from './safetensors-dtype.js';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** UTF-8 byte order: the order the reference sorts names in (JS's own order is UTF-16). */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Checks one entry handed to the writer: dtype, shape, and data of the matching type and length. */
function checkEntry(name: string, entry: SafeTensor): void {
  const fail = (detail: string): never => {
    throw new SafetensorsError('input', detail, { tensor: name });
  };
  if (typeof entry !== 'object' || entry === null) fail(`expected {dtype, shape, data}, got ${describe(entry)}`);
  if (!isSafeDType(entry.dtype)) {
    fail(`unsupported dtype ${describe(entry.dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  const n = countElements(entry.shape);
  if (typeof n === 'string') fail(n);
  const { array } = DTYPES[entry.dtype];
  if (!(entry.data instanceof array)) {
    const got = (entry.data as object | undefined)?.constructor?.name ?? describe(entry.data);
    fail(`${entry.dtype} data must be a ${array.name}, got ${got}`);
  }
  if (entry.data.length !== n) {
    fail(`shape ${describe(entry.shape)} has ${n} elements but data has ${entry.data.length}`);
  }
}

function jsonString(s: string, what: string): string {
  if (LONE_SURROGATE.test(s)) {
    throw new SafetensorsError('input', `${what} ${quote(s)} is not valid Unicode (lone surrogate)`);
  }
  return JSON.stringify(s);
}

/**
 * The file as a list of chunks: the 8-byte length plus padded header, then each tensor's bytes
 * (views of the caller's arrays on little-endian hosts, so saving does not copy the weights).
 */
function encodeParts(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array[] {
  const entries = Object.entries(tensors);
  for (const [name, entry] of entries) {
    if (name === '__metadata__') {
      throw new SafetensorsError('input', 'the name "__metadata__" is reserved for the metadata map');
    }
    checkEntry(name, entry);
  }
  entries.sort(
    ([an, a], [bn, b]) => DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || compareUtf8(an, bn),
  );

  // The JSON is assembled by hand: JS objects put integer-like keys ("0", "12") first, which would
  // break the required order.
  const fields: string[] = [];
  const metaKeys = Object.keys(metadata ?? {}).sort(compareUtf8);
  if (metadata !== undefined && metaKeys.length > 0) {
    const parts = metaKeys.map((key) => {
      const value: unknown = metadata[key];
      if (typeof value !== 'string') {
        throw new SafetensorsError('input', `metadata value of ${quote(key)} must be a string, got ${describe(value)}`);
      }
      return `${jsonString(key, 'metadata key')}:${jsonString(value, 'metadata value')}`;
    });
    fields.push(`"__metadata__":{${parts.join(',')}}`);
  }
  let offset = 0;
  for (const [name, { dtype, shape, data }] of entries) {
    const info = JSON.stringify({ dtype, shape, data_offsets: [offset, offset + data.byteLength] });
    fields.push(`${jsonString(name, 'tensor name')}:${info}`);
    offset += data.byteLength;
  }
  const json = Buffer.from(`{${fields.join(',')}}`, 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError('input', `header would be ${headerLength} bytes, over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const prefix = new Uint8Array(8 + headerLength).fill(0x20); // the padding is spaces
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerLength), true);
  prefix.set(json, 8);
  return [prefix, ...entries.map(([, { dtype, data }]) => littleEndianBytes(data, dtype))];
}

/**
 * Serializes tensors the way the reference writer does: tensors ordered by dtype alignment
 * (largest first) then by name, compact JSON header (`__metadata__` first, keys sorted), padded
 * with spaces to a multiple of 8 bytes. An empty or absent `metadata` writes no `__metadata__`.
 *
 * @example
 * const bytes = encodeSafetensors(
 *   { 'h.0.attn.c_attn.weight': { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: 'pt' },
 * );
 */
export function encodeSafetensors(
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const parts = encodeParts(tensors, metadata);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface HeaderEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key as an own property even when it is "__proto__". */
function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Validates one header entry against the size of the byte buffer. */
function parseEntry(name: string, raw: unknown, bufferLength: number): HeaderEntry {
  const fail = (detail: string): never => {
    throw new SafetensorsError('tensor info', detail, { tensor: name });
  };
  if (!isPlainObject(raw)) return fail(`expected {dtype, shape, data_offsets}, got ${describe(raw)}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (!isSafeDType(dtype)) {
    return fail(`unsupported dtype ${describe(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  const n = countElements(shape);
  if (typeof n === 'string') return fail(n);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    return fail(`data_offsets must be [begin, end], non-negative integers, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > bufferLength) {
    fail(`data_offsets [${begin}, ${end}] end past the ${bufferLength}-byte data buffer (truncated file?)`);
  }
  const nbytes = n * DTYPES[dtype].size;
  if (end - begin !== nbytes) {
    fail(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ${describe(shape)} needs ${nbytes}`,
    );
  }
  return { name, dtype, shape: (shape as number[]).slice(), begin, end };
}

/** The header length from a file's first bytes, checked against the file's size. */
function readHeaderLength(first: Uint8Array, fileLength: number): number {
  if (fileLength < 8) {
    throw new SafetensorsError('header length', `file is ${fileLength} bytes, too short for the 8-byte header length`);
  }
  const declared = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      'header length',
      `${declared} bytes is over the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  }
  const headerLength = Number(declared);
  if (8 + headerLength > fileLength) {
    throw new SafetensorsError(
      'header length',
      `${headerLength} bytes of header, but only ${fileLength - 8} bytes follow (truncated file?)`,
    );
  }
  return headerLength;
}

/** Parses and validates the header; entries come back in offset order, tiling the data buffer. */
function parseHeader(
  headerBytes: Uint8Array,
  bufferLength: number,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    throw new SafetensorsError('header', 'not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SafetensorsError('header', `not valid JSON (${why})`);
  }
  if (!isPlainObject(header)) {
    throw new SafetensorsError('header', `must be a JSON object, got ${describe(header)}`);
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header)) {
    // JSON escapes can spell lone surrogates, which the reference (and UTF-8) cannot represent
    if (LONE_SURROGATE.test(name)) throw new SafetensorsError('header', `key ${quote(name)} is not valid Unicode`);
    if (name !== '__metadata__') {
      entries.push(parseEntry(name, raw, bufferLength));
      continue;
    }
    if (raw === null) continue;
    if (!isPlainObject(raw)) {
      throw new SafetensorsError('metadata', `must be an object of strings, got ${describe(raw)}`);
    }
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value !== 'string') {
        throw new SafetensorsError('metadata', `value of ${quote(key)} must be a string, got ${describe(value)}`);
      }
      if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
        throw new SafetensorsError('metadata', `entry ${quote(key)} is not valid Unicode`);
      }
      put(metadata, key, value);
    }
  }

  // The ranges must tile the buffer exactly: in offset order, each begins where the last ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    const range = `[${entry.begin}, ${entry.end}]`;
    if (previous !== undefined && entry.begin < covered) {
      throw new SafetensorsError(
        'data',
        `range ${range} overlaps tensor ${quote(previous.name)} at [${previous.begin}, ${previous.end}]`,
        { tensor: entry.name },
      );
    }
    if (entry.begin > covered) {
      const after = previous === undefined ? 'the start of the buffer' : `tensor ${quote(previous.name)}`;
      throw new SafetensorsError(
        'data',
        `range ${range} leaves a ${entry.begin - covered}-byte hole after ${after}`,
        { tensor: entry.name },
      );
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== bufferLength) {
    throw new SafetensorsError(
      'data',
      `tensors cover ${covered} bytes, but the buffer has ${bufferLength}: ${bufferLength - covered} bytes belong to no tensor`,
    );
  }
  return { entries, metadata };
}

/**
 * Parses and validates a whole file. Rejects, with a {@link SafetensorsError} naming the part and
 * tensor, anything the reference reader rejects: a short file, a header length past the file or
 * over 100 MB, a header that is not UTF-8 JSON of an object, unknown dtypes, bad shapes or
 * offsets, sizes that disagree with shape times dtype, overlapping ranges, holes between ranges,
 * and bytes left over after the last tensor; plus `__metadata__` values that are not strings.
 * Tensor data are copied out (aligned, little-endian to host order), never views of `bytes`.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(await readFile('model.safetensors'));
 * const wte = toFloat32(tensors['wte.weight']);
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) {
    throw new SafetensorsError('input', `expected a Uint8Array, got ${describe(bytes)}`);
  }
  const headerLength = readHeaderLength(bytes, bytes.length);
  const dataStart = 8 + headerLength;
  const { entries, metadata } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart);
  const tensors: Record<string, SafeTensor> = {};
  for (const { name, dtype, shape, begin, end } of entries) {
    // new Uint8Array(view) copies, even for a Buffer (whose slice() would be another view)
    const data = adoptLittleEndian(new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)), dtype);
    put(tensors, name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

/**
 * Writes tensors to a safetensors file atomically (a reader never sees a half-written file),
 * streaming each tensor's bytes rather than building the whole file in memory.
 *
 * @example
 * await saveSafetensors('ckpt/model.safetensors', model.stateDict(), { step: '1000' });
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeParts(tensors, metadata));
}

/** Reads exactly `into.length` bytes at `position`, or says the file ended early. */
async function readExactly(handle: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError('data', `file ended at byte ${position + done}, expected ${position + into.length} (changed while reading?)`);
    }
    done += bytesRead;
  }
}

/**
 * Reads and validates a safetensors file (same checks as {@link decodeSafetensors}; errors name
 * the file). The header is validated before any tensor is read, and each tensor is read straight
 * into its own array, so memory stays at one copy of the weights and files past 2 GB work.
 *
 * @example
 * const { tensors } = await loadSafetensors('gpt2/model.safetensors');
 */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const e = new SafetensorsError('file', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a .safetensors file' : (err as Error).message, { path });
    throw Object.assign(e, { code }); // callers may still test err.code (ENOENT)
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new SafetensorsError('file', 'is a directory, expected a .safetensors file', { path });
  }
  try {
    const { size } = await handle.stat();
    const first = new Uint8Array(Math.min(size, 8));
    await readExactly(handle, first, 0);
    const headerLength = readHeaderLength(first, size);
    const headerBytes = new Uint8Array(headerLength);
    await readExactly(handle, headerBytes, 8);
    const dataStart = 8 + headerLength;
    const { entries, metadata } = parseHeader(headerBytes, size - dataStart);
    const tensors: Record<string, SafeTensor> = {};
    for (const { name, dtype, shape, begin, end } of entries) {
      const bytes = new Uint8Array(end - begin);
      await readExactly(handle, bytes, dataStart + begin);
      put(tensors, name, { dtype, shape, data: adoptLittleEndian(bytes, dtype) });
    }
    return { tensors, metadata };
  } catch (err) {
    if (err instanceof SafetensorsError) {
      throw new SafetensorsError(err.part, err.detail, { tensor: err.tensor, path });
    }
    throw err;
  } finally {
    await handle.close();
  }
}
