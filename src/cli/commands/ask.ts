// moxing ask: a question to a QA/chat model; with --docs, answered from retrieved documents, with
// the sources printed after the answer.

import type { Command } from 'commander';
import { loadRun } from '../../llm/run-dir.js';
import { ask } from '../../llm/ask.js';
import { askWithDocs } from '../../llm/docs-ask.js';
import { resolveModelPath } from '../../llm/models.js';
import { DocIndex } from '../../text/doc-index.js';
import { finiteNumber, nonNegativeInt, positiveInt } from '../options.js';
import { UserError } from '../errors.js';

interface Out {
  write(text: string): void;
}
const stdout: Out = { write: (s) => void process.stdout.write(s) };

interface AskFlags {
  model: string;
  docs?: string;
  topK: number;
  maxNewTokens: number;
  temperature: number;
  seed: number;
  json?: boolean;
}

export function registerAsk(program: Command, io: Out = stdout): void {
  program
    .command('ask')
    .description('ask a question-answering model (with --docs: from retrieved documents, printing the sources)')
    .argument('<question>', 'the question')
    .option('--model <dir|name>', 'QA/chat model directory or shipped name', 'moxing-chat')
    .option('--docs <dir>', 'a document index (moxing index build): retrieve, then answer from the retrieved text')
    .option('--top-k <n>', '--docs: passages retrieved', positiveInt, 3)
    .option('--max-new-tokens <n>', 'answer length limit', positiveInt, 48)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', finiteNumber, 0)
    .option('--seed <n>', 'random seed', nonNegativeInt, 0)
    .option('--json', 'print {"answer"} (with --docs also "sources": [{"source","start","score","text"}])')
    .action(async (question: string, f: AskFlags) => {
      let index: DocIndex | null = null;
      if (f.docs) {
        try {
          index = DocIndex.load(f.docs);
        } catch (err) {
          throw new UserError(`--docs ${f.docs}: ${(err as Error).message}`);
        }
      }
      const { model, tokenizer, config } = await loadRun(resolveModelPath(f.model));
      const opts = { maxNewTokens: f.maxNewTokens, temperature: f.temperature, seed: f.seed };
      if (!index) {
        const answer = await ask(model, tokenizer, question, config.chatTemplate, opts);
        io.write(f.json ? `${JSON.stringify({ answer })}\n` : `${answer}\n`);
        return;
      }
      const { answer, passages } = await askWithDocs(model, tokenizer, index, question, config.chatTemplate, { ...opts, topK: f.topK });
      const sources = passages.map((p) => ({ source: p.source, start: p.start, score: Number(p.score.toFixed(4)), text: p.text }));
      if (f.json) {
        io.write(`${JSON.stringify({ answer, sources })}\n`);
        return;
      }
      io.write(`${answer}\n\nSources:\n`);
      sources.forEach((s, i) => io.write(`[${i + 1}] ${s.source} (offset ${s.start}, score ${s.score.toFixed(2)}): ${s.text.length > 160 ? `${s.text.slice(0, 157)}...` : s.text}\n`));
    });
}
