// `moxing tokenizer train|encode|decode`: byte-level BPE from the command line (ids as JSON on stdout).

import type { Command } from 'commander';
import { isUtf8 } from 'node:buffer';
import { statSync } from 'node:fs';
import { Tokenizer } from '../../text/tokenizer.js';
import { assertWritableTarget } from '../../io/atomic-write.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { namingPath } from '../../io/path-message.js';

/** Where the commands write (the CLI's output) and read stdin from (the process's by default); tests pass their own. */
export interface TokenizerIO extends Io {
  readStdin?: () => Promise<Buffer>;
}

async function readProcessStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function load(path: string): Tokenizer {
  try {
    return Tokenizer.fromFile(path);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UserError(`${name} must be a whole number, got "${value}"`);
  return n;
}

/**
 * Registers `tokenizer train`, `tokenizer encode` and `tokenizer decode`.
 *
 * @example
 * // moxing tokenizer train corpus.txt --vocab-size 8192 --special '<|endoftext|>' --out tokenizer.json
 * // echo -n 'Hello world' | moxing tokenizer encode --tokenizer tokenizer.json   -> [15496,995]
 * // echo '[15496,995]' | moxing tokenizer decode --tokenizer tokenizer.json      -> Hello world
 * registerTokenizer(program);
 */
export function registerTokenizer(program: Command, io: TokenizerIO = processIo): void {
  const readStdin = io.readStdin ?? readProcessStdin;
  const tok = program.command('tokenizer').description('byte-level BPE tokenizer: train, encode, decode (Hugging Face tokenizer.json)');

  tok
    .command('train')
    .description('train a byte-level BPE vocabulary on UTF-8 text files and write tokenizer.json')
    .argument('<files...>', 'UTF-8 text files')
    .requiredOption('--vocab-size <n>', 'vocabulary size: special tokens + 256 bytes + merges')
    .option('--special <tok...>', 'special tokens, ids 0.. in order (e.g. "<|endoftext|>")')
    .option('--min-frequency <n>', 'never merge a pair seen fewer times', '0')
    .option('--out <path>', 'where to write tokenizer.json', 'tokenizer.json')
    .action((files: string[], opts: { vocabSize: string; special?: string[]; minFrequency: string; out: string }) => {
      const vocabSize = positiveInt('--vocab-size', opts.vocabSize);
      const specialTokens = opts.special ?? [];
      if (specialTokens.some((s) => s === '')) throw new UserError('--special: a special token cannot be empty');
      if (vocabSize < 256 + new Set(specialTokens).size) {
        throw new UserError(`--vocab-size must be at least ${256 + new Set(specialTokens).size} (256 bytes + special tokens), got ${vocabSize}`);
      }
      const minFrequency = positiveInt('--min-frequency', opts.minFrequency);
      // Before the training: a tokenizer trained for minutes and then not written is work lost.
      try {
        assertWritableTarget(opts.out);
      } catch (err) {
        throw new UserError(`--out ${(err as Error).message}`);
      }
      const t0 = performance.now();
      let tokenizer: Tokenizer;
      try {
        tokenizer = Tokenizer.trainFromFiles(files, { vocabSize, specialTokens, minFrequency });
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const seconds = (performance.now() - t0) / 1000;
      try {
        tokenizer.save(opts.out);
      } catch (err) {
        const message = (err as Error).message;
        throw new UserError(namingPath(opts.out, message));
      }
      const mb = files.reduce((s, f) => s + statSync(f).size, 0) / 1e6;
      io.write(`trained ${tokenizer.vocabSize} tokens on ${mb.toFixed(1)} MB in ${seconds.toFixed(1)} s -> ${opts.out}\n`);
    });

  tok
    .command('encode')
    .description('read UTF-8 text from stdin, print its token ids as a JSON array')
    .requiredOption('--tokenizer <path>', 'tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe')
    .option('--json', 'print the ids as a JSON array (the default format)')
    .action(async (opts: { tokenizer: string }) => {
      const tokenizer = load(opts.tokenizer);
      const input = await readStdin();
      if (!isUtf8(input)) throw new UserError('stdin is not valid UTF-8 text');
      io.write(`${JSON.stringify(tokenizer.encode(input.toString('utf8')))}\n`);
    });

  tok
    .command('decode')
    .description('read a JSON array of token ids from stdin, print the text')
    .requiredOption('--tokenizer <path>', 'tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe')
    .action(async (opts: { tokenizer: string }) => {
      const tokenizer = load(opts.tokenizer);
      const input = (await readStdin()).toString('utf8');
      let ids: unknown;
      try {
        ids = JSON.parse(input);
      } catch {
        throw new UserError('stdin must be a JSON array of token ids, e.g. [15496, 995]');
      }
      if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
        throw new UserError('stdin must be a JSON array of integer token ids, e.g. [15496, 995]');
      }
      try {
        io.write(tokenizer.decode(ids as number[]));
      } catch (err) {
        throw new UserError((err as Error).message);
      }
    });
}
