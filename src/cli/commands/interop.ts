// moxing export / moxing import: move GPTs to and from the Hugging Face GPT-2 layout.

import type { Command } from 'commander';
import { exportHf, importHf } from '../../llm/hf.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveModelPath } from '../../llm/models.js';
import { readRunConfig } from '../../llm/run-dir.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

function checkFormat(format: string): void {
  if (format !== 'hf') throw new UserError(`--format '${format}' is not supported (supported: hf)`);
}

export function registerInterop(program: Command, io: Io = processIo): void {
  program
    .command('export')
    .description('write a model in the Hugging Face GPT-2 layout (model.safetensors, config.json, tokenizer.json)')
    .requiredOption('--model <dir|name>', 'run directory or shipped model name')
    .requiredOption('--format <format>', 'output format: hf')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (f: { model: string; format: string; out: string }) => {
      checkFormat(f.format);
      const dir = resolveModelPath(f.model);
      await exportHf(dir, f.out);
      // The GPT-2 layout holds the language model only: what the run has beyond it is said, not lost quietly.
      const config = readRunConfig(dir);
      const left: string[] = [];
      if (existsSync(join(dir, 'head.safetensors'))) left.push('the classification head (head.safetensors)');
      if (config.chatTemplate) left.push('the chat template');
      if (left.length) process.stderr.write(`export: ${left.join(' and ')} ${left.length > 1 ? 'are' : 'is'} not part of the GPT-2 layout and ${left.length > 1 ? 'were' : 'was'} not written\n`);
      io.write(`wrote ${f.out} (Hugging Face GPT-2 layout)\n`);
    });
  program
    .command('import')
    .description('read a Hugging Face GPT-2 directory into a moxing run directory')
    .argument('<dir>', 'directory with config.json, model.safetensors and tokenizer.json')
    .requiredOption('--format <format>', 'input format: hf')
    .requiredOption('--out <run-dir>', 'run directory to create')
    .action(async (dir: string, f: { format: string; out: string }) => {
      checkFormat(f.format);
      await importHf(dir, f.out);
      io.write(`imported ${dir} into ${f.out}\n`);
    });
}
