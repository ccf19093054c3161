// moxing index build: a BM25 document index (chunks of sentences) for `ask --docs`, `eval --docs`
// and `serve --docs`. Rebuilding into the same directory reuses the chunks of unchanged files.

import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { buildDocIndex } from '../../text/doc-index.js';
import { positiveInt, nonNegativeInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

export function registerIndex(program: Command, io: Io = processIo): void {
  const index = program.command('index').description('document indexes for answers from documents');
  index
    .command('build')
    .description('chunk text, Markdown or HTML files into a BM25 index (words and CJK character n-grams)')
    .argument('<files...>', 'UTF-8 text or HTML files')
    .requiredOption('--out <dir>', 'index directory (index.json, chunks.jsonl)')
    .option('--max-chars <n>', 'largest chunk, in characters', positiveInt, 400)
    .option('--overlap <n>', 'sentences repeated between neighbouring chunks', nonNegativeInt, 1)
    .option('--json', 'print {"files","chunks","out"}')
    .action((files: string[], f: { out: string; maxChars: number; overlap: number; json?: boolean }) => {
      if (f.maxChars < 16) throw new UserError('--max-chars must be at least 16');
      for (const path of files) checkInputFile(path);
      let m;
      try {
        m = buildDocIndex(files, f.out, {
          chunk: { maxChars: f.maxChars, overlapSentences: f.overlap },
          onFile: (x) => process.stderr.write(`index: [${x.done}/${x.total}] ${x.path}: ${x.chunks} chunks${x.reused ? ' (unchanged)' : ''}\n`),
        });
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      io.write(f.json ? `${JSON.stringify({ files: m.sources.length, chunks: m.chunks, out: f.out })}\n` : `${m.chunks} chunks from ${m.sources.length} files in ${f.out}\n`);
    });
}

/** A missing path or a folder is named before any work is done (a pipe or other readable file is fine). */
function checkInputFile(path: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${path}: no such file`);
    throw new UserError((err as Error).message); // it names the path
  }
  if (isDirectory) throw new UserError(`${path}: is a directory, expected a text, Markdown or HTML file (name its files, e.g. ${path.replace(/\/+$/, '')}/*.txt)`);
}
