// `moxing eval --task qa`: greedy answers to questions, scored against the answers SQuAD-style.

import { scoreAnswers, type QaScores } from './answer-metrics.js';

/** What `moxing eval --task qa` prints. */
export interface QaResult extends QaScores {
  task: 'qa';
}

/** Something that answers a question: a model, a model with documents, or retrieval alone. */
export type Answerer = (question: string) => Promise<string> | string;

/**
 * Answers every question, in order, and scores the answers.
 * @example await evalQa((q) => ask(model, tokenizer, q), ['What is the capital of Peru?'], ['Lima'])
 */
export async function evalQa(
  answer: Answerer, questions: readonly string[], answers: readonly string[],
  onProgress?: (done: number, total: number, last: { question: string; answer: string; gold: string }) => void,
): Promise<{ result: QaResult; predictions: string[] }> {
  if (questions.length !== answers.length) throw new Error(`evalQa: ${questions.length} questions, ${answers.length} answers`);
  const predictions: string[] = [];
  for (let i = 0; i < questions.length; i++) {
    predictions.push(await answer(questions[i]));
    onProgress?.(i + 1, questions.length, { question: questions[i], answer: predictions[i], gold: answers[i] });
  }
  return { result: { task: 'qa', ...scoreAnswers(predictions, answers) }, predictions };
}
