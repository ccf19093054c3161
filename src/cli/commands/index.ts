// moxing index build: a BM25 document index (chunks of sentences) for `ask --docs`, `eval --docs`
// and `serve --docs`. Rebuilding into the same directory reuses the chunks of unchanged files.

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
