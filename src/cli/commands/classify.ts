// moxing classify: label texts with a fine-tuned classifier, or zero-shot with --labels.

import type { Command } from 'commander';
import { loadRun } from '../../llm/run-dir.js';
import { loadClassifier, zeroShotClassify } from '../../llm/classify.js';
import { resolveModelPath } from '../../llm/models.js';
import { readTextColumns } from '../../eval/csv-columns.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface ClassifyFlags {
  model: string;
  input?: string;
  textCol: string;
  labels?: string[];
  json?: boolean;
}

export function registerClassify(program: Command, io: Io = processIo): void {
  program
    .command('classify')
    .description('label texts with a fine-tuned classifier (or zero-shot with --labels)')
    .argument('[text]', 'a text to classify')
    .option('--model <dir|name>', 'classifier directory or shipped name', 'moxing-sentiment')
    .option('--input <file.csv>', 'classify every row of a CSV file')
    .option('--text-col <name>', 'the text column of --input', 'text')
    .option('--labels <labels...>', 'zero-shot: candidate labels, scored by likelihood under a prompt')
    .option('--json', 'one JSON line {"label", "scores"} per text')
    .action(async (text: string | undefined, f: ClassifyFlags) => {
      if (f.input && text !== undefined) throw new UserError('give a text or --input <file.csv>, not both');
      let texts: string[];
      if (f.input) {
        try {
          texts = readTextColumns(f.input, { '--text-col': f.textCol })['--text-col'];
        } catch (err) {
          throw new UserError((err as Error).message);
        }
      } else if (text !== undefined) {
        if (text.trim() === '') throw new UserError('the text is empty');
        texts = [text];
      } else if (f.labels) {
        // --labels takes every word after it, so a text written last became one more label.
        throw new UserError(`give a text, or --input <file.csv> with --text-col; a text after --labels is read as a label (labels: ${f.labels.map((l) => `'${l}'`).join(', ')}): put it before --labels, or after --`);
      } else throw new UserError('give a text, or --input <file.csv> with --text-col');
      const dir = resolveModelPath(f.model);
      let results;
      if (f.labels) {
        const { model, tokenizer } = await loadRun(dir);
        results = [];
        try {
          for (const t of texts) results.push(await zeroShotClassify(model, tokenizer, t, f.labels));
        } catch (err) {
          throw new UserError(`--labels: ${(err as Error).message}`);
        }
      } else {
        results = await (await loadClassifier(dir)).classify(texts);
      }
      for (const r of results) {
        if (f.json) io.write(`${JSON.stringify(r)}\n`);
        else io.write(`${r.label}\t${Object.entries(r.scores).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ')}\n`);
      }
    });
}
