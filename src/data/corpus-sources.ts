// Where corpus text comes from: installed Debian packages (files listed by dpkg, licence read from
// /usr/share/doc/<pkg>/copyright), the shared datasets folder (licence from each PROVENANCE.txt),
// and files the user names. Each source yields documents of plain text.

import { execFileSync } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { htmlToText } from '../text/html-text.js';
import { firstInvalidUtf8 } from '../text/utf8.js';
import { fortuneEntries, gcideDocs, infoNodes, podToText, roffToText, wordnetDocs } from './corpus-text.js';

/** A source of documents and what the manifest records about it. */
export interface CorpusSource {
  /** Unique, file-name safe: debian-<pkg>, shared-<dataset>, file-<name>. */
  id: string;
  kind: 'debian' | 'shared' | 'file';
  /** The Debian package, the dataset folder, or the file path. */
  origin: string;
  version: string;
  licence: string;
  /** Where the licence was read. */
  licenceFile: string | null;
  files: string[];
  /** The documents of one of `files`. */
  extract: (file: string) => string[];
}

/** The Debian packages the shipped corpus is built from (English and Chinese, freely licensed). */
export const DEBIAN_PACKAGES = [
  'dict-gcide', 'wordnet-base', 'bible-kjv-text', 'debian-handbook', 'debian-reference-en', 'debian-reference-zh-cn',
  'developers-reference', 'debian-history', 'python3.11-doc', 'manpages', 'manpages-zh', 'gnu-standards', 'fortunes',
  'fortunes-min', 'fortunes-zh', 'perl-doc', 'debian-policy', 'debian-faq', 'debian-faq-zh-cn', 'maint-guide', 'maint-guide-zh-cn',
] as const;

/** Datasets of the shared folder that are held out of the corpus, for evaluation (or are not prose). */
export const HELD_OUT_SHARED = ['moby_dick', 'fine_food_reviews', 'qa_en', 'qa_zh'];

function readMaybeGz(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') || file.endsWith('.dz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

// Translations other than English and Chinese, recognised from a path (de.html, /fr-FR/, /man/ja/ ...).
const OTHER_LANG = /(?:[./_-]|\/)(ar|bg|ca|cs|da|de|el|eo|es|et|eu|fa|fi|fr|gl|he|hr|hu|id|it|ja|ko|lt|lv|nb|nl|nn|pl|pt|ro|ru|sk|sl|sr|sv|ta|th|tr|uk|vi)(?:[-_][A-Z]{2})?(?:[./]|$)/;

/** Whether a package file is text worth extracting (and in English or Chinese by its path). */
function wantedFile(path: string, pkg: string): boolean {
  if (path.startsWith(`/usr/share/doc/${pkg}/`) && /\/(copyright|changelog[^/]*|NEWS[^/]*)$/.test(path)) return false;
  if (/\.(css|js|png|jpe?g|gif|svg|pdf|dvi|ps|dat|u8|epub|ico|woff2?|ttf|inv|py|sh|xml|json|conc|txt\.gz)$/i.test(path) && !/\.rst\.txt$/.test(path)) {
    return false;
  }
  if (/\/usr\/share\/(lintian|bug|doc-base|pixmaps|applications|menu)\//.test(path)) return false;
  if (OTHER_LANG.test(path.replace(/^\/usr\/share\/doc\/[^/]+\//, '/')) && !/zh[-_](CN|TW|cn|tw)|\/zh\b/.test(path)) return false;
  return true;
}

/** Documents of one installed package file, by its format. */
export function extractDebianFile(file: string): string[] {
  const name = basename(file);
  if (name === 'gcide.dict.dz') return gcideDocs(readMaybeGz(file));
  if (/^data\.(noun|verb|adj|adv)$/.test(name) && file.includes('/wordnet/')) {
    const pos = { noun: 'noun', verb: 'verb', adj: 'adjective', adv: 'adverb' }[name.slice(5)]!;
    return wordnetDocs(readFileSync(file, 'utf8'), pos);
  }
  if (file.includes('/wordnet/') || name.endsWith('.index') || name === 'gcide.index') return [];
  if (file === '/usr/lib/bible.data') return bibleText();
  if (/\/man\/(?:[a-z_A-Z]+\/)?man\d\w*\//.test(file)) return [roffToText(readMaybeGz(file))];
  if (/\.info(-\d+)?(\.gz)?$/.test(file)) return infoNodes(readMaybeGz(file));
  if (/\.(pod|pm)$/.test(file)) return [podToText(readMaybeGz(file))];
  if (file.includes('/games/fortunes/')) return extname(file) === '' ? fortuneEntries(readFileSync(file, 'utf8')) : [];
  if (/\.x?html?(\.gz)?$/.test(file)) return [htmlToText(readMaybeGz(file))];
  if (/\.(txt|rst\.txt|text|md)(\.gz)?$/.test(file) || /\/(README|constitution|social-contract)[^/]*$/.test(file)) return [readMaybeGz(file)];
  return [];
}

// The KJV data file is compressed in the `bible` program's own format: its text comes from that program.
function bibleText(): string[] {
  try {
    const out = execFileSync('bible', ['gen1:1-rev22:21'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    // One document per chapter: a heading line "Genesis 1", then numbered verses.
    return out.split(/\n(?=(?:[1-3] )?[A-Z][A-Za-z ]+ \d+\n)/).map((c) => c.replace(/\n\s+(\d+) /g, '\n$1 ').trim()).filter((c) => c.length > 0);
  } catch {
    return []; // `bible` (package bible-kjv) not installed: the manifest shows 0 documents
  }
}

function dpkgVersion(pkg: string): string | null {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * The licences a Debian copyright file names (machine-readable `License:` fields, else the first
 * line that mentions a licence).
 * @example debianLicence('/usr/share/doc/fortunes/copyright') // 'BSD-4-clause'
 */
export function debianLicence(copyrightFile: string): string {
  if (!existsSync(copyrightFile)) return 'unknown (no copyright file)';
  const text = readFileSync(copyrightFile, 'utf8');
  // Machine-readable files: the short names of their License fields (prose after "License:" is skipped).
  const fields = [...new Set([...text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)].map((m) => m[1].trim()).filter((f) => f.split(/\s+/).length <= 6 && f.length <= 60))];
  if (fields.length) return fields.join('; ');
  const known: Array<[RegExp, string]> = [
    [/GNU General Public License[^.]*version 3|GPL-?3/i, 'GPL-3+'], [/GNU General Public License[^.]*version 2|GPL-?2/i, 'GPL-2+'],
    [/GNU Free Documentation License|GFDL/i, 'GFDL'], [/Artistic License/i, 'Artistic'], [/Creative Commons|CC-BY/i, 'CC-BY(-SA)'],
    [/Redistribution and use in source and binary forms/i, 'BSD-style'], [/public domain/i, 'public domain'],
    [/Open Publication License/i, 'OPL'], [/Python Software Foundation License|PSF LICENSE/i, 'PSF'],
    [/Permission is hereby granted, free of charge/i, 'MIT/Expat'], [/Permission is granted to make and distribute verbatim copies/i, 'verbatim copying and modified versions permitted'], [/University of California/i, 'BSD (UC Regents)'],
  ];
  const names = known.filter(([re]) => re.test(text)).map(([, n]) => n);
  return names.length ? `${names.join('; ')} (read from the copyright text)` : 'see the copyright file';
}

/** A source for an installed Debian package; null when the package is not installed. */
export function debianSource(pkg: string): CorpusSource | null {
  const version = dpkgVersion(pkg);
  if (!version) return null;
  const listed = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter((p) => p.length > 0);
  const files = listed.filter((p) => wantedFile(p, pkg) && existsSync(p) && statSync(p).isFile()).sort();
  const copyright = `/usr/share/doc/${pkg}/copyright`;
  return {
    id: `debian-${pkg}`, kind: 'debian', origin: pkg, version, licence: debianLicence(copyright), licenceFile: copyright, files,
    extract: extractDebianFile,
  };
}

function csvRows(file: string): Array<Record<string, string>> {
  return parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Array<Record<string, string>>;
}

/** Documents of a shared-dataset file: CSV rows with a text column, or plain text (novels split by chapter). */
export function extractSharedFile(file: string): string[] {
  if (file.endsWith('.csv')) {
    return csvRows(file).map((r) => [r.title, r.author, r.heading, r.text].filter((x) => x && x.trim()).join('\n')).filter((t) => t.length > 0);
  }
  const text = readFileSync(file, 'utf8');
  const chapters = text.split(/\n(?=CHAPTER [IVXLC\d]+)/);
  if (chapters.length > 3) return chapters;
  if (file.endsWith('glossary_for_qa_terms.txt')) {
    const lines = text.split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i += 200) out.push(lines.slice(i, i + 200).join('\n'));
    return out;
  }
  if (/chinese_fortunes\.txt$/.test(file)) return fortuneEntries(text);
  return paragraphDocs(text);
}

/**
 * Paragraphs gathered into documents of about `size` characters (a long text is many documents,
 * so de-duplication and the split work on parts of it).
 * @example paragraphDocs('a\n\nb', 4000) // ['a\n\nb']
 */
export function paragraphDocs(text: string, size = 4000): string[] {
  return text.split(/\n\s*\n(?=\S)/).reduce<string[]>((docs, para) => {
    if (docs.length && docs[docs.length - 1].length < size) docs[docs.length - 1] += `\n\n${para}`;
    else docs.push(para);
    return docs;
  }, []);
}

/** The text files of a shared dataset folder, with the licence from its PROVENANCE.txt. */
export function sharedSource(dir: string): CorpusSource | null {
  const name = basename(dir);
  const prov = join(dir, 'PROVENANCE.txt');
  if (!existsSync(prov)) return null;
  const provText = readFileSync(prov, 'utf8');
  const licence = /^License:\s*(.*)$/m.exec(provText)?.[1].trim() ?? 'see PROVENANCE.txt';
  const prepared = /^Prepared:\s*([^,\s]+)/m.exec(provText)?.[1] ?? 'unknown';
  const textFiles = provText.match(/^\s+- ([\w./-]+\.(?:txt|csv)):/gm)?.map((l) => l.replace(/^\s+- /, '').replace(/:$/, '')) ?? [];
  const files = textFiles.filter((f) => !/song100/.test(f)).map((f) => join(dir, f)).filter((f) => existsSync(f));
  return { id: `shared-${name}`, kind: 'shared', origin: name, version: prepared, licence, licenceFile: prov, files, extract: extractSharedFile };
}

/** The shared datasets folder's prose: every dataset but the held-out and tabular ones. */
export function sharedSources(root: string, datasets: readonly string[]): CorpusSource[] {
  return datasets.filter((d) => !HELD_OUT_SHARED.includes(d)).map((d) => sharedSource(join(root, d))).filter((s): s is CorpusSource => s !== null && s.files.length > 0);
}

/** Prose datasets of the shared folder (the others are tables of numbers). */
export const SHARED_TEXT_DATASETS = ['jane_austen', 'brown_corpus', 'chinese_poetry', 'debian_reference', 'fortunes_en', 'fortunes_zh', 'reuters_tm', 'wordnet'];

/** A file the user names: text, HTML, or anything the Debian extractors know. */
export function fileSource(path: string): CorpusSource {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`${path}: no such file`);
  if (statSync(abs).isDirectory()) throw new Error(`${path}: is a directory, expected a text file`);
  // Checked before the build starts: decoded anyway, a binary or legacy-encoded file would become
  // replacement characters and be dropped without a word, or worse, kept. Regular files only: a
  // pipe (corpus build <(zcat ...)) can be read once, by the build.
  if (!/\.(gz|dz)$/.test(abs) && statSync(abs).isFile()) {
    const bytes = readFileSync(abs);
    if (!isUtf8(bytes)) throw new Error(`${path}: not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)}); corpus build reads UTF-8 text or HTML, gzipped or not`);
  }
  const st = statSync(abs);
  return {
    id: `file-${basename(abs).replace(/[^\w.-]/g, '_')}`, kind: 'file', origin: abs, version: st.mtime.toISOString(), licence: 'as given by the user',
    licenceFile: null, files: [abs],
    extract: (f) => {
      // HTML and the formats Debian ships are recognised; anything else is plain text in paragraphs.
      if (/\.(x?html?|info|pod|pm)(\.gz)?$/.test(f) || /\/man\d?\//.test(f)) return extractDebianFile(f);
      return paragraphDocs(readMaybeGz(f));
    },
  };
}
