// Token shards: text files -> train.bin / val.bin (uint16 when the vocabulary fits, else uint32),
// and a loader that reads random windows straight from disk (the shards never enter JS arrays whole).

import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeSync, fsyncSync, renameSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join, resolve } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { makeFolder, writeJsonAtomicSync } from '../io/atomic-write.js';

export const DATA_FORMAT = 1;
export const EOT = '<|endoftext|>';

/** meta.json of a prepared data directory. */
export interface DataMeta {
  format: number;
  vocabSize: number;
  dtype: 'uint16' | 'uint32';
  trainTokens: number;
  valTokens: number;
  sources: Array<{ file: string; bytes: number; tokens: number }>;
  /** End-of-text id placed between documents, if the tokenizer has one. */
  eotId: number | null;
  createdAt: string;
}

/** Errors about data directories and source files, naming the path. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** Reads a text file, rejecting empty and non-UTF-8 files with a clear message. */
export function readTextFile(path: string): string {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a text file`);
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new DataError(`${path}: the file is empty`);
  if (!isUtf8(bytes)) throw new DataError(`${path}: not valid UTF-8 text`);
  return bytes.toString('utf8');
}

class ShardWriter {
  private readonly fd: number;
  private readonly tmp: string;
  count = 0;
  constructor(private readonly path: string, private readonly bytesPer: 2 | 4) {
    this.tmp = `${path}.tmp`;
    this.fd = openSync(this.tmp, 'w');
  }
  write(ids: readonly number[]): void {
    const arr = this.bytesPer === 2 ? Uint16Array.from(ids) : Uint32Array.from(ids);
    writeSync(this.fd, new Uint8Array(arr.buffer));
    this.count += ids.length;
  }
  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
}

export interface PrepareOptions {
  /** Fraction of each file's tokens (its end) held out for validation. Default 0.1. */
  valFraction?: number;
  /** Called after each file with its name and token count. */
  onFile?: (file: string, tokens: number) => void;
}

/**
 * Tokenizes files into `outDir` (train.bin, val.bin, meta.json, tokenizer.json). Each file is one
 * document, followed by <|endoftext|> when the tokenizer has it; the last part of each file is the
 * validation split, so both splits cover every source.
 * @example prepareData(['austen.txt'], tokenizer, 'data/austen', { valFraction: 0.1 })
 */
export function prepareData(files: readonly string[], tokenizer: Tokenizer, outDir: string, options: PrepareOptions = {}): DataMeta {
  const valFraction = options.valFraction ?? 0.1;
  if (!(valFraction > 0 && valFraction < 1)) throw new DataError(`--val-fraction must be between 0 and 1 (exclusive), got ${valFraction}`);
  if (files.length === 0) throw new DataError('no input files given');
  const texts = files.map((f) => readTextFile(f)); // read all first: fail before writing anything
  makeFolder(outDir);
  const dtype = tokenizer.vocabSize <= 65536 ? 'uint16' : 'uint32';
  const bytesPer = dtype === 'uint16' ? 2 : 4;
  const eotId = tokenizer.tokenToId(EOT) ?? null;
  const train = new ShardWriter(join(outDir, 'train.bin'), bytesPer);
  const val = new ShardWriter(join(outDir, 'val.bin'), bytesPer);
  const sources: DataMeta['sources'] = [];
  files.forEach((file, i) => {
    const ids = tokenizer.encode(texts[i], { allowSpecial: false });
    if (eotId !== null) ids.push(eotId);
    const cut = Math.max(1, Math.floor(ids.length * (1 - valFraction)));
    train.write(ids.slice(0, cut));
    val.write(ids.slice(cut));
    sources.push({ file: resolve(file), bytes: Buffer.byteLength(texts[i]), tokens: ids.length });
    options.onFile?.(file, ids.length);
  });
  train.close();
  val.close();
  tokenizer.save(join(outDir, 'tokenizer.json'));
  const meta: DataMeta = {
    format: DATA_FORMAT, vocabSize: tokenizer.vocabSize, dtype, trainTokens: train.count, valTokens: val.count,
    sources, eotId, createdAt: new Date().toISOString(),
  };
  writeJsonAtomicSync(join(outDir, 'meta.json'), meta);
  return meta;
}

/** Reads and checks a data directory's meta.json. */
export function readDataMeta(dir: string): DataMeta {
  if (!existsSync(dir)) throw new DataError(`${dir}: data directory not found (run: moxing data prepare <files...> --tokenizer tokenizer.json --out ${dir})`);
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) throw new DataError(`${path}: missing: ${dir} is not a prepared data directory`);
  let meta: DataMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as DataMeta;
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (meta.format !== DATA_FORMAT) throw new DataError(`${path}: data format ${meta.format} is not supported`);
  return meta;
}

/**
 * Samples (B, T) input windows and their next-token targets from a shard, reading only those bytes.
 * @example const loader = new TokenLoader('data/austen', 'train'); const [x, y] = loader.batch(16, 128, rng);
 */
export class TokenLoader {
  readonly meta: DataMeta;
  readonly tokens: number;
  private readonly fd: number;
  private readonly bytesPer: number;

  constructor(readonly dir: string, readonly split: 'train' | 'val') {
    this.meta = readDataMeta(dir);
    const path = join(dir, `${split}.bin`);
    if (!existsSync(path)) throw new DataError(`${path}: missing`);
    this.bytesPer = this.meta.dtype === 'uint16' ? 2 : 4;
    const size = statSync(path).size;
    if (size % this.bytesPer !== 0) throw new DataError(`${path}: size ${size} is not a multiple of ${this.bytesPer} bytes (corrupt shard)`);
    this.tokens = size / this.bytesPer;
    this.fd = openSync(path, 'r');
  }

  /** Reads tokens [start, start + count) from disk. */
  read(start: number, count: number): Int32Array {
    const buf = Buffer.alloc(count * this.bytesPer);
    readSync(this.fd, buf, 0, buf.length, start * this.bytesPer);
    const view = this.bytesPer === 2
      ? new Uint16Array(buf.buffer, buf.byteOffset, count)
      : new Uint32Array(buf.buffer, buf.byteOffset, count);
    return Int32Array.from(view);
  }

  /** Throws unless the shard holds one window of T tokens and its next-token targets. */
  checkFits(T: number): void {
    if (this.tokens < T + 1) {
      throw new DataError(`${join(this.dir, `${this.split}.bin`)}: ${this.tokens} tokens, too few for windows of ${T + 1} (lower --block-size or add data)`);
    }
  }

  /** B random windows of T tokens (inputs) and the same windows shifted by one (targets). */
  batch(B: number, T: number, rng: Rng): [Tensor, Tensor] {
    this.checkFits(T);
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = rng.int(this.tokens - T);
      const w = this.read(start, T + 1);
      x.set(w.subarray(0, T), b * T);
      y.set(w.subarray(1), b * T);
    }
    return [new Tensor(x, [B, T]), new Tensor(y, [B, T])];
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Unigram entropy of a shard in nats/token: the loss of a model that ignores context. */
export function unigramEntropy(loader: TokenLoader, maxTokens = 2_000_000): number {
  const n = Math.min(loader.tokens, maxTokens);
  const ids = loader.read(0, n);
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log(p);
  }
  return h;
}

