// moxing data prepare: text files -> token shards with a train/validation split.

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { Tokenizer } from '../../text/tokenizer.js';
import { prepareData } from '../../llm/data.js';
import { fraction } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { namingPath } from '../../io/path-message.js';

interface PrepareFlags {
  tokenizer: string;
  out: string;
  valFraction: number;
  json?: boolean;
}

export function registerData(program: Command, io: Io = processIo): void {
  const data = program.command('data').description('prepare training data');
  data
    .command('prepare')
    .description('tokenize text files into train/validation token shards')
    .argument('<files...>', 'UTF-8 text files')
    .requiredOption('--tokenizer <path>', 'tokenizer.json to encode with')
    .requiredOption('--out <dir>', 'output data directory')
    .option('--val-fraction <f>', 'fraction of each file held out for validation', fraction, 0.1)
    .option('--json', 'print the metadata as one JSON object')
    .action((files: string[], f: PrepareFlags) => {
      if (!existsSync(f.tokenizer)) throw new UserError(`${f.tokenizer}: tokenizer file not found`);
      if (f.valFraction <= 0) throw new UserError('--val-fraction must be above 0');
      let tokenizer: Tokenizer;
      try {
        tokenizer = Tokenizer.fromFile(f.tokenizer);
      } catch (err) {
        const message = (err as Error).message;
        throw new UserError(namingPath(f.tokenizer, message));
      }
      const meta = prepareData(files, tokenizer, f.out, {
        valFraction: f.valFraction,
        onFile: (file, n) => { if (!f.json) process.stderr.write(`${file}: ${n.toLocaleString('en-US')} tokens\n`); },
      });
      // A split smaller than a context cannot be trained or evaluated on: said now, not at pretrain.
      const small = Math.min(meta.trainTokens, meta.valTokens);
      if (small < 129) {
        const which = meta.trainTokens <= meta.valTokens ? 'training' : 'validation';
        process.stderr.write(`data prepare: the ${which} split has ${small} tokens; pretrain needs more than --block-size tokens in each (add text${which === 'validation' ? ' or raise --val-fraction' : ''})\n`);
      }
      if (f.json) io.write(`${JSON.stringify(meta)}\n`);
      else io.write(`${f.out}: ${meta.trainTokens.toLocaleString('en-US')} train + ${meta.valTokens.toLocaleString('en-US')} validation tokens (${meta.dtype}, vocabulary ${meta.vocabSize})\n`);
    });
}
