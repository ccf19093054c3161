// `moxing eval --task choice`: multiple choice scored by likelihood. Each choice is scored by its
// negative log-likelihood after the question, per UTF-8 byte of the choice (so longer choices are
// not penalised for their length; lm-evaluation-harness's acc_norm idea), and the lowest wins.

import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from '../llm/gpt.js';
import type { ChatTemplate } from '../llm/run-dir.js';
import { DEFAULT_CHAT_TEMPLATE, renderChat } from '../llm/chat.js';
import { sumNll } from './model-reads.js';

/** What `moxing eval --task choice` prints. */
export interface ChoiceResult {
  task: 'choice';
  n: number;
  accuracy: number;
}

/** One multiple-choice item: 2-5 choices and the index of the right one. */
export interface ChoiceItem {
  question: string;
  choices: string[];
  answer: number;
}

/**
 * Reads a choice item from CSV cells: choices separated by '|', the answer as the right choice's
 * text, a letter (A-E) or a 1-based number.
 * @example parseChoiceItem('2 + 2?', '3|4|5', 'B', 7) // { question: '2 + 2?', choices: ['3', '4', '5'], answer: 1 }
 */
export function parseChoiceItem(question: string, choicesCell: string, answerCell: string, row: number): ChoiceItem {
  const choices = choicesCell.split('|').map((c) => c.trim()).filter((c) => c.length > 0);
  if (choices.length < 2 || choices.length > 5) throw new Error(`data row ${row}: ${choices.length} choices (give 2-5, separated by '|')`);
  const a = answerCell.trim();
  let answer = choices.indexOf(a);
  if (answer < 0 && /^[A-Ea-e]$/.test(a)) answer = a.toUpperCase().charCodeAt(0) - 65;
  else if (answer < 0 && /^[1-5]$/.test(a)) answer = Number(a) - 1;
  if (answer < 0 || answer >= choices.length) throw new Error(`data row ${row}: answer '${a}' is not one of the choices, a letter A-${String.fromCharCode(64 + choices.length)} or a number 1-${choices.length}`);
  return { question, choices, answer };
}

/**
 * The index of the likeliest choice after the question's prompt.
 * @example await pickChoice(model, tokenizer, { question: 'The capital of France is', choices: ['Paris', 'Lima'], answer: 0 })
 */
export async function pickChoice(model: GPT, tokenizer: Tokenizer, item: ChoiceItem, template: ChatTemplate = DEFAULT_CHAT_TEMPLATE): Promise<number> {
  const prompt = tokenizer.encode(renderChat([{ role: 'user', content: item.question }], template), { allowSpecial: false });
  const T = model.config.blockSize;
  let best = 0;
  let bestScore = Infinity;
  for (const [k, choice] of item.choices.entries()) {
    const target = tokenizer.encode(choice, { allowSpecial: false }).slice(0, T);
    const context = prompt.slice(Math.max(0, prompt.length - Math.max(1, T + 1 - target.length)));
    const seq = [...context, ...target];
    const ids = seq.slice(0, -1);
    const targets = seq.slice(1).map((tok, i) => (i + 1 >= context.length ? tok : -1));
    const { nll } = await sumNll(model, { ids: [ids], targets: [targets] });
    const score = nll / Math.max(1, Buffer.byteLength(choice, 'utf8'));
    if (score < bestScore) { best = k; bestScore = score; }
  }
  return best;
}

/**
 * Accuracy over choice items.
 * @example await evalChoice(model, tokenizer, items) // { task: 'choice', n, accuracy }
 */
export async function evalChoice(
  model: GPT, tokenizer: Tokenizer, items: readonly ChoiceItem[], template?: ChatTemplate, onProgress?: (done: number, total: number) => void,
): Promise<ChoiceResult> {
  let right = 0;
  for (const [i, item] of items.entries()) {
    if ((await pickChoice(model, tokenizer, item, template)) === item.answer) right++;
    onProgress?.(i + 1, items.length);
  }
  return { task: 'choice', n: items.length, accuracy: items.length ? right / items.length : 0 };
}
