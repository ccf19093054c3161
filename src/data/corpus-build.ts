// Builds a pretraining corpus (`moxing corpus build`): extract each source's documents (cached per
// source, so an interrupted build resumes), normalise, drop exact and near duplicates, tag the
// language (English and Chinese are kept), split by document into train and validation, and write
// a manifest with each source's package, version, licence and size.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../io/atomic-write.js';
import { exactKey, NearDuplicateFilter, DEFAULT_NEAR_DUP, type NearDupOptions } from './corpus-dedup.js';
import { langTag, normalizeText, type Lang } from './corpus-text.js';
import type { CorpusSource } from './corpus-sources.js';

export const CORPUS_FORMAT = 1;
const KEPT_LANGS = ['en', 'zh'] as const;
type KeptLang = (typeof KEPT_LANGS)[number];
type Split = 'train' | 'validation';

export interface CorpusBuildOptions {
  /** Fraction of documents (chosen by a hash of their text) in the validation split. Default 0.01. */
  valFraction?: number;
  /** Shorter documents are dropped (after normalisation). Default 20 characters. */
  minChars?: number;
  nearDup?: NearDupOptions;
  /** Tokens per byte of each language, to estimate the corpus size in tokens (from a sample). */
  tokensPerByte?: (lang: KeptLang, sample: string) => number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

/** Counts kept for one language of one split. */
export interface LangCounts {
  docs: number;
  bytes: number;
}

/** One source's line in manifest.json. */
export interface SourceManifest {
  id: string;
  kind: CorpusSource['kind'];
  origin: string;
  version: string;
  licence: string;
  licenceFile: string | null;
  files: number;
  /** Documents and bytes extracted, before filtering. */
  docs: number;
  bytes: number;
  exactDuplicates: number;
  nearDuplicates: number;
  otherLanguage: number;
  tooShort: number;
  kept: Record<KeptLang, LangCounts>;
}

export interface CorpusManifest {
  format: number;
  kind: 'moxing-corpus';
  createdAt: string;
  options: { valFraction: number; minChars: number; nearDup: NearDupOptions };
  sources: SourceManifest[];
  splits: Record<Split, Record<KeptLang, LangCounts>>;
  /** Estimated from a sample of each language with the given tokenizer (null without one). */
  estimatedTokens: Record<Split, Record<KeptLang, number>> | null;
  files: Record<Split, Record<KeptLang, string>>;
}

interface PartMeta {
  id: string;
  version: string;
  files: number;
  docs: number;
  bytes: number;
}

/** Extracts a source's documents into parts/<id>.jsonl, unless a finished part for the same version is there. */
function extractSource(src: CorpusSource, partsDir: string, minChars: number, log: (l: string) => void): { meta: PartMeta; tooShort: number; reused: boolean } {
  const metaPath = join(partsDir, `${src.id}.json`);
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as PartMeta & { tooShort?: number };
    if (meta.version === src.version && meta.files === src.files.length && existsSync(join(partsDir, `${src.id}.jsonl`))) {
      return { meta, tooShort: meta.tooShort ?? 0, reused: true };
    }
  }
  const lines: string[] = [];
  let bytes = 0;
  let tooShort = 0;
  let last = Date.now();
  src.files.forEach((file, i) => {
    let docs: string[];
    try {
      docs = src.extract(file);
    } catch (err) {
      log(`corpus: ${src.id}: skipped ${file} (${(err as Error).message.split('\n')[0]})`);
      return;
    }
    for (const raw of docs) {
      const t = normalizeText(raw);
      if (t.length < minChars) { tooShort++; continue; }
      lines.push(JSON.stringify(t));
      bytes += Buffer.byteLength(t);
    }
    if (Date.now() - last > 2000) {
      last = Date.now();
      log(`corpus: ${src.id}: ${i + 1}/${src.files.length} files, ${lines.length} documents, ${(bytes / 1e6).toFixed(1)} MB`);
    }
  });
  writeFileAtomicSync(join(partsDir, `${src.id}.jsonl`), lines.length ? `${lines.join('\n')}\n` : '');
  const meta: PartMeta & { tooShort: number } = { id: src.id, version: src.version, files: src.files.length, docs: lines.length, bytes, tooShort };
  writeJsonAtomicSync(metaPath, meta); // written last: its presence means the part is complete
  return { meta, tooShort, reused: false };
}

/** Whether a document goes to validation: a hash of its text below the fraction (stable across rebuilds). */
function isValidation(key: string, valFraction: number): boolean {
  const b = Buffer.from(key, 'base64');
  return b.readUInt32BE(0) / 2 ** 32 < valFraction;
}

class SplitWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private first = true;
  counts: LangCounts = { docs: 0, bytes: 0 };
  sample = '';
  constructor(readonly path: string) {
    this.tmp = `${path}.tmp`;
    this.fd = openSync(this.tmp, 'w');
  }
  write(doc: string): void {
    // Documents are separated by a blank line; a sample of the start is kept for token estimates.
    writeSync(this.fd, this.first ? doc : `\n\n${doc}`);
    this.first = false;
    this.counts.docs++;
    this.counts.bytes += Buffer.byteLength(doc);
    if (this.sample.length < 200_000) this.sample += `${doc}\n\n`;
  }
  close(): void {
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
}

/**
 * Builds the corpus in `outDir`: train.en.txt, train.zh.txt, validation.en.txt, validation.zh.txt,
 * manifest.json, and parts/ (per-source extraction caches; delete them to re-extract).
 * @example buildCorpus([debianSource('fortunes')!], 'corpus', { log: console.error })
 */
export function buildCorpus(sources: readonly CorpusSource[], outDir: string, options: CorpusBuildOptions = {}): CorpusManifest {
  if (sources.length === 0) throw new Error('corpus build: no sources (install Debian packages, pass --shared <dir>, or name files)');
  const ids = new Set<string>();
  for (const s of sources) {
    if (ids.has(s.id)) throw new Error(`corpus build: two sources named ${s.id}`);
    ids.add(s.id);
  }
  const log = options.log ?? (() => {});
  const valFraction = options.valFraction ?? 0.01;
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`corpus build: the validation fraction must be in (0, 1), got ${valFraction}`);
  const minChars = options.minChars ?? 20;
  const nearDup = options.nearDup ?? DEFAULT_NEAR_DUP;
  const partsDir = join(outDir, 'parts');
  mkdirSync(partsDir, { recursive: true });

  // 1. Extraction, per source (the slow part; cached).
  const extracted = sources.map((src, i) => {
    const r = extractSource(src, partsDir, minChars, log);
    log(`corpus: [${i + 1}/${sources.length}] ${src.id} ${src.version}: ${r.meta.docs} documents, ${(r.meta.bytes / 1e6).toFixed(1)} MB${r.reused ? ' (extracted before)' : ''}`);
    return r;
  });

  // 2. Duplicates, language, split: one pass over every part in source order (earlier sources win).
  const files = {} as Record<Split, Record<KeptLang, string>>;
  const writers = {} as Record<Split, Record<KeptLang, SplitWriter>>;
  for (const split of ['train', 'validation'] as const) {
    files[split] = {} as Record<KeptLang, string>;
    writers[split] = {} as Record<KeptLang, SplitWriter>;
    for (const lang of KEPT_LANGS) {
      files[split][lang] = `${split}.${lang}.txt`;
      writers[split][lang] = new SplitWriter(join(outDir, files[split][lang]));
    }
  }
  const seen = new Set<string>();
  const near = new NearDuplicateFilter(nearDup);
  const manifests: SourceManifest[] = sources.map((src, i) => {
    const m: SourceManifest = {
      id: src.id, kind: src.kind, origin: src.origin, version: src.version, licence: src.licence, licenceFile: src.licenceFile,
      files: src.files.length, docs: extracted[i].meta.docs, bytes: extracted[i].meta.bytes,
      exactDuplicates: 0, nearDuplicates: 0, otherLanguage: 0, tooShort: extracted[i].tooShort,
      kept: { en: { docs: 0, bytes: 0 }, zh: { docs: 0, bytes: 0 } },
    };
    const text = readFileSync(join(partsDir, `${src.id}.jsonl`), 'utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const doc = JSON.parse(line) as string;
      const key = exactKey(doc);
      if (seen.has(key)) { m.exactDuplicates++; continue; }
      seen.add(key);
      const lang: Lang = langTag(doc);
      if (lang === 'other') { m.otherLanguage++; continue; }
      if (!near.keep(doc)) { m.nearDuplicates++; continue; }
      writers[isValidation(key, valFraction) ? 'validation' : 'train'][lang].write(doc);
      m.kept[lang].docs++;
      m.kept[lang].bytes += Buffer.byteLength(doc);
    }
    log(`corpus: ${src.id}: kept ${m.kept.en.docs} English and ${m.kept.zh.docs} Chinese documents; dropped ${m.exactDuplicates} exact and ${m.nearDuplicates} near duplicates, ${m.otherLanguage} in other languages`);
    return m;
  });
  const splits = {} as CorpusManifest['splits'];
  let estimatedTokens: CorpusManifest['estimatedTokens'] = null;
  const perByte = options.tokensPerByte;
  const ratio: Record<KeptLang, number> = { en: 0, zh: 0 };
  if (perByte) for (const lang of KEPT_LANGS) ratio[lang] = writers.train[lang].sample ? perByte(lang, writers.train[lang].sample) : 0;
  for (const split of ['train', 'validation'] as const) {
    splits[split] = { en: writers[split].en.counts, zh: writers[split].zh.counts };
    for (const lang of KEPT_LANGS) writers[split][lang].close();
    if (perByte) {
      estimatedTokens ??= {} as Record<Split, Record<KeptLang, number>>;
      estimatedTokens[split] = { en: Math.round(ratio.en * splits[split].en.bytes), zh: Math.round(ratio.zh * splits[split].zh.bytes) };
    }
  }
  const manifest: CorpusManifest = {
    format: CORPUS_FORMAT, kind: 'moxing-corpus', createdAt: new Date().toISOString(), options: { valFraction, minChars, nearDup },
    sources: manifests, splits, estimatedTokens, files,
  };
  writeJsonAtomicSync(join(outDir, 'manifest.json'), manifest);
  return manifest;
}
