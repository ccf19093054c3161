// moxing corpus build: a pretraining corpus from installed Debian packages, the shared datasets
// folder and named files (extraction, normalisation, de-duplication, language tags, split, manifest).

import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus, type CorpusManifest } from '../../data/corpus-build.js';
import { DEBIAN_PACKAGES, debianSource, fileSource, sharedSources, SHARED_TEXT_DATASETS, type CorpusSource } from '../../data/corpus-sources.js';
import { Tokenizer } from '../../text/tokenizer.js';
import { resolveModelPath } from '../../llm/models.js';
import { fraction, positiveInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface CorpusFlags {
  out: string;
  packages?: string[];
  debian: boolean;
  shared?: string;
  valFraction: number;
  minChars: number;
  tokenizer?: string;
  json?: boolean;
}

function tokenizerFor(spec: string | undefined): Tokenizer | null {
  const path = spec ?? (() => {
    try {
      return join(resolveModelPath('moxing-base'), 'tokenizer.json');
    } catch {
      return null;
    }
  })();
  if (!path) return null;
  const file = existsSync(join(path, 'tokenizer.json')) ? join(path, 'tokenizer.json') : path;
  if (!existsSync(file)) throw new UserError(`--tokenizer ${spec}: no tokenizer.json there`);
  return Tokenizer.fromFile(file);
}

/** A count for people: 12.3M, 45k or 678 (a small corpus is not "0.0M"). */
function approx(n: number): string {
  if (n >= 999_500) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}

/** One line per split and language, for people. */
export function summarizeCorpus(m: CorpusManifest): string {
  const lines: string[] = [];
  for (const split of ['train', 'validation'] as const) {
    for (const lang of ['en', 'zh'] as const) {
      const c = m.splits[split][lang];
      const tok = m.estimatedTokens ? `, ~${approx(m.estimatedTokens[split][lang])} tokens` : '';
      const size = c.bytes >= 1e5 ? `${(c.bytes / 1e6).toFixed(1)} MB` : `${approx(c.bytes)} bytes`;
      lines.push(`${m.files[split][lang]}: ${c.docs} document${c.docs === 1 ? '' : 's'}, ${size}${tok}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerCorpus(program: Command, io: Io = processIo): void {
  const corpus = program.command('corpus').description('build a pretraining corpus');
  corpus
    .command('build')
    .description('English and Chinese text from installed Debian packages, --shared datasets and named files: extracted, normalised, de-duplicated (exact and MinHash), language-tagged, split by document')
    .argument('[files...]', 'more text or HTML files to include')
    .requiredOption('--out <dir>', 'output directory (train.<lang>.txt, validation.<lang>.txt, manifest.json, parts/)')
    .option('--packages <names...>', `Debian packages to read (default: ${DEBIAN_PACKAGES.join(', ')}; those not installed are skipped)`)
    .option('--no-debian', 'read no Debian packages')
    .option('--shared <dir>', `a shared datasets folder (reads ${SHARED_TEXT_DATASETS.join(', ')})`)
    .option('--val-fraction <f>', 'fraction of documents in the validation split', fraction, 0.01)
    .option('--min-chars <n>', 'drop shorter documents', positiveInt, 20)
    .option('--tokenizer <file|model>', 'tokenizer to estimate the size in tokens with (default: moxing-base\'s)')
    .option('--json', 'print the manifest as one JSON object')
    .action((files: string[], f: CorpusFlags) => {
      const sources: CorpusSource[] = [];
      const missing: string[] = [];
      if (f.debian) {
        for (const pkg of f.packages ?? DEBIAN_PACKAGES) {
          const s = debianSource(pkg);
          if (s) sources.push(s);
          else missing.push(pkg);
        }
        if (missing.length) process.stderr.write(`corpus: not installed, skipped: ${missing.join(', ')} (apt-get install -y ${missing.join(' ')})\n`);
      }
      if (f.shared) {
        if (!existsSync(f.shared)) throw new UserError(`--shared ${f.shared}: no such directory`);
        const present = new Set(readdirSync(f.shared));
        sources.push(...sharedSources(f.shared, SHARED_TEXT_DATASETS.filter((d) => present.has(d))));
      }
      for (const file of files) {
        try {
          sources.push(fileSource(file));
        } catch (err) {
          throw new UserError((err as Error).message);
        }
      }
      if (sources.length === 0) throw new UserError('no sources: install Debian packages, pass --shared <dir>, or name files');
      const tok = tokenizerFor(f.tokenizer);
      const manifest = buildCorpus(sources, f.out, {
        valFraction: f.valFraction, minChars: f.minChars,
        tokensPerByte: tok ? (_lang, sample) => tok.encode(sample, { allowSpecial: false }).length / Math.max(1, Buffer.byteLength(sample)) : undefined,
        log: (line) => void process.stderr.write(`${line}\n`),
      });
      io.write(f.json ? `${JSON.stringify(manifest)}\n` : summarizeCorpus(manifest));
    });
}
