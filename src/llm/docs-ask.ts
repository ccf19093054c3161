// Answers from documents: retrieve passages from a document index, put the best of them before the
// question (as much as the model's context holds), and let the model answer; the sources come back
// with the answer.

import type { Tokenizer } from '../text/tokenizer.js';
import type { DocIndex, Passage } from '../text/doc-index.js';
import { bestSentence } from '../text/extract-answer.js';
import { splitSentences } from '../text/chunk.js';
import { bm25Terms } from '../text/bm25.js';
import type { GPT } from './gpt.js';
import type { ChatTemplate } from './run-dir.js';
import { chat } from './ask.js';
import { DEFAULT_CHAT_TEMPLATE, renderChat } from './chat.js';
import type { GenerateOptions } from './generate.js';

/** An answer and the passages it was read from. */
export interface DocsAnswer {
  answer: string;
  passages: Passage[];
}

/** How a question and its context are written in the user turn. */
export function contextQuestion(context: string, question: string): string {
  return context ? `Context: ${context}\n${question}` : question;
}

/**
 * The context for a question within a token budget: the passages' sentences, most question terms
 * first (the best sentence always leads), until the budget is spent.
 * @example fitContext(tokenizer, 'What is a dog?', passages, 60)
 */
export function fitContext(tokenizer: Tokenizer, question: string, passages: readonly Passage[], budget: number): string {
  if (budget <= 0 || passages.length === 0) return '';
  const best = bestSentence(question, passages.map((p) => p.text));
  const q = new Set(bm25Terms(question));
  const rest = passages.flatMap((p) => splitSentences(p.text).map((s) => s.text)).filter((s) => s !== best)
    .map((s, i) => ({ s, i, hits: bm25Terms(s).filter((t) => q.has(t)).length }))
    .sort((a, b) => b.hits - a.hits || a.i - b.i).map((x) => x.s);
  let context = '';
  for (const s of [best, ...rest]) {
    const next = context ? `${context} ${s}` : s;
    if (tokenizer.encode(next, { allowSpecial: false }).length > budget) {
      if (!context) {
        // Even the best sentence is too long: keep its beginning.
        const ids = tokenizer.encode(s, { allowSpecial: false }).slice(0, budget);
        return tokenizer.decode(ids).replace(/\uFFFD+$/u, '');
      }
      break;
    }
    context = next;
  }
  return context;
}

export interface DocsAskOptions extends GenerateOptions {
  /** Passages retrieved. Default 3. */
  topK?: number;
}

/**
 * Retrieves, then answers from the retrieved text.
 * @example const { answer, passages } = await askWithDocs(model, tokenizer, index, 'What is a dog?')
 */
export async function askWithDocs(
  model: GPT, tokenizer: Tokenizer, index: DocIndex, question: string, template: ChatTemplate = DEFAULT_CHAT_TEMPLATE, options: DocsAskOptions = {},
): Promise<DocsAnswer> {
  const passages = index.search(question, options.topK ?? 3);
  const maxNew = options.maxNewTokens ?? 48;
  const frame = tokenizer.encode(renderChat([{ role: 'user', content: contextQuestion('x', question) }], template), { allowSpecial: false }).length;
  const budget = model.config.blockSize - maxNew - frame;
  const context = fitContext(tokenizer, question, passages, budget);
  const answer = await chat(model, tokenizer, [{ role: 'user', content: contextQuestion(context, question) }], template, { ...options, maxNewTokens: maxNew });
  return { answer, passages };
}
