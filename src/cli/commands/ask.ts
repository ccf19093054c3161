// moxing ask: a question to a QA/chat model; with --docs, answered from retrieved documents, with
// the sources printed after the answer.

import type { Command } from 'commander';
import { loadRun } from '../../llm/run-dir.js';
import { ask } from '../../llm/ask.js';
import { askWithDocs } from '../../llm/docs-ask.js';
import { resolveModelPath } from '../../llm/models.js';
import { DocIndex, type Passage } from '../../text/doc-index.js';
import { bestSentence } from '../../text/extract-answer.js';
import { nonNegativeInt, nonNegativeNumber, positiveInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { namingPath } from '../../io/path-message.js';

interface AskFlags {
  model: string;
  docs?: string;
  topK: number;
  maxNewTokens: number;
  temperature: number;
  seed: number;
  extract?: boolean;
  json?: boolean;
}

export function registerAsk(program: Command, io: Io = processIo): void {
  program
    .command('ask')
    .description('ask a question-answering model (with --docs: from retrieved documents, printing the sources)')
    .argument('<question>', 'the question')
    .option('--model <dir|name>', 'QA/chat model directory or shipped name', 'moxing-chat')
    .option('--docs <dir>', 'a document index (moxing index build): retrieve, then answer from the retrieved text')
    .option('--top-k <n>', '--docs: passages retrieved', positiveInt, 3)
    .option('--extract', '--docs: answer with the best retrieved sentence instead of generating (retrieval alone, no model)')
    .option('--max-new-tokens <n>', 'answer length limit', positiveInt, 48)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', nonNegativeNumber, 0)
    .option('--seed <n>', 'random seed', nonNegativeInt, 0)
    .option('--json', 'print {"answer"} (with --docs also "sources": [{"source","start","score","text"}])')
    .action(async (question: string, f: AskFlags) => {
      if (question.trim() === '') throw new UserError('the question is empty');
      let index: DocIndex | null = null;
      if (f.docs) {
        try {
          index = DocIndex.load(f.docs);
        } catch (err) {
          const message = (err as Error).message;
          throw new UserError(`--docs ${namingPath(f.docs, message)}`);
        }
      }
      if (f.extract && !index) throw new UserError('--extract needs --docs <dir>');
      const opts = { maxNewTokens: f.maxNewTokens, temperature: f.temperature, seed: f.seed };
      let result: { answer: string; passages: Passage[] };
      if (index && f.extract) {
        result = index.answer(question, f.topK);
      } else {
        const { model, tokenizer, config } = await loadRun(resolveModelPath(f.model));
        if (!index) {
          const answer = await ask(model, tokenizer, question, config.chatTemplate, opts);
          io.write(f.json ? `${JSON.stringify({ answer })}\n` : `${answer}\n`);
          return;
        }
        result = await askWithDocs(model, tokenizer, index, question, config.chatTemplate, { ...opts, topK: f.topK });
      }
      const { answer, passages } = result;
      // Said on stderr, so --json stays one object: with nothing retrieved the answer is closed book
      // (or, with --extract, empty), which the user would otherwise take for an answer from the documents.
      if (passages.length === 0) process.stderr.write(`ask: nothing in ${f.docs} matches the question: ${f.extract ? 'no sentence to extract' : 'the answer is closed book'}\n`);
      const sources = passages.map((p) => ({ source: p.source, start: p.start, score: Number(p.score.toFixed(4)), text: p.text }));
      if (f.json) {
        io.write(`${JSON.stringify({ answer, sources })}\n`);
        return;
      }
      io.write(`${answer}\n\nSources:\n`);
      // Each source shown by its sentence that matches the question best.
      sources.forEach((s, i) => {
        const line = bestSentence(question, [s.text]) || s.text;
        io.write(`[${i + 1}] ${s.source} (offset ${s.start}, score ${s.score.toFixed(2)}): ${line.length > 200 ? `${line.slice(0, 197)}...` : line}\n`);
      });
    });
}
