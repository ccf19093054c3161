// A document index on disk (`moxing index build`): chunks of the source files in chunks.jsonl and a
// manifest in index.json; BM25 postings are rebuilt when the index is loaded (seconds for ~100 MB).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname, join, resolve } from 'node:path';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../io/atomic-write.js';
import { Bm25Index, DEFAULT_BM25, type Bm25Params } from './bm25.js';
import { chunkText, DEFAULT_CHUNK, type ChunkOptions } from './chunk.js';
import { htmlToText } from './html-text.js';
import { bestSentence, extractAnswer } from './extract-answer.js';

export const DOC_INDEX_FORMAT = 1;

/** One indexed file. */
export interface IndexedSource {
  path: string;
  bytes: number;
  sha256: string;
  /** Index of its first chunk in chunks.jsonl, and how many it has. */
  first: number;
  chunks: number;
}

/** index.json. */
export interface DocIndexManifest {
  format: number;
  kind: 'moxing-doc-index';
  chunk: ChunkOptions;
  bm25: Bm25Params;
  sources: IndexedSource[];
  chunks: number;
  createdAt: string;
}

/** A chunk as stored: source number, offset in the source, text. */
interface StoredChunk {
  s: number;
  o: number;
  t: string;
}

/** A retrieved passage. */
export interface Passage {
  text: string;
  source: string;
  start: number;
  score: number;
}

/** Reads a file as text; HTML pages become their readable text. */
export function readDocument(path: string): string {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`${path}: is a directory, expected a text file`);
  return documentText(path, readFileSync(path));
}

/** A document's text from its bytes (read once: a pipe cannot be read again); HTML by its extension. */
function documentText(path: string, bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new Error(`${path}: not valid UTF-8 text`);
  const text = bytes.toString('utf8');
  return /^\.x?html?$/i.test(extname(path)) ? htmlToText(text) : text;
}

export interface BuildIndexOptions {
  chunk?: ChunkOptions;
  bm25?: Bm25Params;
  /** Called after each file, for progress lines. */
  onFile?: (info: { path: string; done: number; total: number; chunks: number; reused: boolean }) => void;
}

/**
 * Chunks `files` into an index directory. Rerunning on the same directory reuses the chunks of files
 * whose bytes did not change (so a large index resumes after an interruption or grows cheaply).
 * @example buildDocIndex(['notes.txt', 'faq.md'], 'my-index')
 */
export function buildDocIndex(files: readonly string[], outDir: string, options: BuildIndexOptions = {}): DocIndexManifest {
  if (files.length === 0) throw new Error('index build: no input files');
  const chunkOpts = options.chunk ?? DEFAULT_CHUNK;
  const old = tryLoadStored(outDir, chunkOpts);
  mkdirSync(outDir, { recursive: true });
  const sources: IndexedSource[] = [];
  const lines: string[] = [];
  files.forEach((file, i) => {
    const path = resolve(file);
    const bytes = readFileSync(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const prev = old?.bySha.get(sha256);
    let chunks: StoredChunk[];
    if (prev) chunks = prev.map((c) => ({ ...c, s: i }));
    else chunks = chunkText(documentText(path, bytes), chunkOpts).map((c) => ({ s: i, o: c.start, t: c.text }));
    sources.push({ path, bytes: bytes.length, sha256, first: lines.length, chunks: chunks.length });
    for (const c of chunks) lines.push(JSON.stringify(c));
    options.onFile?.({ path, done: i + 1, total: files.length, chunks: chunks.length, reused: prev !== undefined });
  });
  // Chunks first, manifest last: a manifest on disk always describes a complete chunks file.
  writeFileAtomicSync(join(outDir, 'chunks.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  const manifest: DocIndexManifest = {
    format: DOC_INDEX_FORMAT, kind: 'moxing-doc-index', chunk: chunkOpts, bm25: options.bm25 ?? DEFAULT_BM25,
    sources, chunks: lines.length, createdAt: new Date().toISOString(),
  };
  writeJsonAtomicSync(join(outDir, 'index.json'), manifest);
  return manifest;
}

function readManifest(dir: string): DocIndexManifest {
  const path = join(dir, 'index.json');
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder (build a document index with moxing index build <files...> --out ${dir})`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir}: a file, not a document index folder (moxing index build <files...> --out <dir> makes one)`);
  if (!existsSync(path)) throw new Error(`${dir}: not a document index (no index.json; build one with moxing index build <files...> --out ${dir})`);
  let m: DocIndexManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as DocIndexManifest;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (m.kind !== 'moxing-doc-index' || m.format !== DOC_INDEX_FORMAT) throw new Error(`${path}: not a moxing document index of format ${DOC_INDEX_FORMAT}`);
  return m;
}

function readChunks(dir: string, m: DocIndexManifest): StoredChunk[] {
  const path = join(dir, 'chunks.jsonl');
  if (!existsSync(path)) throw new Error(`${path}: missing (rebuild the index)`);
  const out: StoredChunk[] = [];
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as StoredChunk);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line (rebuild the index)`);
    }
  }
  if (out.length !== m.chunks) throw new Error(`${path}: ${out.length} chunks, index.json says ${m.chunks} (rebuild the index)`);
  return out;
}

function tryLoadStored(dir: string, chunk: ChunkOptions): { bySha: Map<string, StoredChunk[]> } | null {
  try {
    const m = readManifest(dir);
    if (JSON.stringify(m.chunk) !== JSON.stringify(chunk)) return null;
    const chunks = readChunks(dir, m);
    const bySha = new Map<string, StoredChunk[]>();
    for (const s of m.sources) bySha.set(s.sha256, chunks.slice(s.first, s.first + s.chunks));
    return { bySha };
  } catch {
    return null; // nothing usable: build from scratch
  }
}

/**
 * A loaded index: BM25 search over chunks, and the best sentence as an answer without a model.
 * @example const ix = DocIndex.load('my-index'); ix.search('What is a dog?', 3)
 */
export class DocIndex {
  private constructor(readonly manifest: DocIndexManifest, private readonly chunks: StoredChunk[], private readonly bm25: Bm25Index) {}

  static load(dir: string): DocIndex {
    const m = readManifest(dir);
    const chunks = readChunks(dir, m);
    const bm25 = new Bm25Index(m.bm25);
    for (const c of chunks) bm25.add(c.t);
    return new DocIndex(m, chunks, bm25);
  }

  /** In memory, from texts (tests, small corpora). */
  static fromTexts(docs: ReadonlyArray<{ source: string; text: string }>, chunk: ChunkOptions = DEFAULT_CHUNK): DocIndex {
    const chunks: StoredChunk[] = [];
    const sources: IndexedSource[] = docs.map((d, s) => {
      const first = chunks.length;
      for (const c of chunkText(d.text, chunk)) chunks.push({ s, o: c.start, t: c.text });
      return { path: d.source, bytes: Buffer.byteLength(d.text), sha256: '', first, chunks: chunks.length - first };
    });
    const bm25 = new Bm25Index();
    for (const c of chunks) bm25.add(c.t);
    return new DocIndex({ format: DOC_INDEX_FORMAT, kind: 'moxing-doc-index', chunk, bm25: DEFAULT_BM25, sources, chunks: chunks.length, createdAt: '' }, chunks, bm25);
  }

  get size(): number {
    return this.chunks.length;
  }

  /** The `k` best passages for a query, best first. */
  search(query: string, k = 3): Passage[] {
    return this.bm25.search(query, k).map(({ doc, score }) => {
      const c = this.chunks[doc];
      return { text: c.t, source: this.manifest.sources[c.s].path, start: c.o, score };
    });
  }

  /**
   * Retrieval alone: the best sentence of the top passages, trimmed to its answer part.
   * @example ix.answer('What is a dog?') // { answer: 'a domestic animal ...', passages: [...] }
   */
  answer(question: string, k = 5): { answer: string; passages: Passage[] } {
    const passages = this.search(question, k);
    const sentence = bestSentence(question, passages.map((p) => p.text), (t) => this.bm25.idf(t));
    return { answer: sentence ? extractAnswer(question, sentence) : '', passages };
  }
}
