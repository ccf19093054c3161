// moxing merge: average the weights of runs fine-tuned from one start (the members of a model soup).

import type { Command } from 'commander';
import { mergeRuns } from '../../llm/merge.js';
import { resolveModelPath } from '../../llm/models.js';
import { processIo, type Io } from '../io.js';

interface MergeFlags {
  out: string;
  json?: boolean;
}

export function registerMerge(program: Command, io: Io = processIo): void {
  program
    .command('merge')
    .description('average the weights of runs fine-tuned from the same model (a model soup; members from finetune --shuffle-seed)')
    .argument('<runs...>', 'run directories (or shipped names) of one architecture, tokenizer and task')
    .requiredOption('--out <dir>', 'directory for the averaged model')
    .option('--json', 'print the result as one JSON object')
    .action(async (runs: string[], f: MergeFlags) => {
      const res = await mergeRuns(runs.map((r) => resolveModelPath(r)), f.out);
      if (f.json) io.write(`${JSON.stringify(res)}\n`);
      else io.write(`averaged ${res.members.length} runs${res.task ? ` (${res.task})` : ''} into ${res.outDir}; measure it with moxing eval\n`);
    });
}
