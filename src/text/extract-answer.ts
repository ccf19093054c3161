// Answers picked from retrieved text without a model: the sentence that best matches the question,
// trimmed by two generic rules (a quoted line's continuation; a "term (pos): definition" heading).

import { bm25Terms } from './bm25.js';
import { splitSentences } from './chunk.js';

/** Quoted spans in a question: 「…」, “…”, "…" and 《…》. */
function quotedSpans(question: string): string[] {
  const out: string[] = [];
  for (const m of question.matchAll(/「([^」]+)」|“([^”]+)”|"([^"]+)"/gu)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * The part of speech a definition question asks about, as a pattern for a dictionary line's tag:
 * "What is a X?" a noun, "What does it mean to X?" a verb, 'What does "X" mean?' an adjective or adverb.
 * @example partOfSpeech('What is a dog?') // /\((noun|n)\)/
 */
export function partOfSpeech(question: string): RegExp | null {
  const q = question.trim();
  if (/^what is an? /i.test(q)) return /\((noun|n)\.?\)/i;
  if (/^what does it mean to /i.test(q)) return /\((verb|v)\.?\)/i;
  if (/^what does ["“'].+["”'] mean/i.test(q)) return /\((adj|adv|adjective|adverb)\.?\)/i;
  return null;
}

/**
 * The best-matching sentence of some passages for a question: the most question terms (weighted by
 * `idf`, more when they open the sentence), then the shorter sentence.
 * @example bestSentence('What is a dog?', ['A cat purrs. A dog barks.']) // 'A dog barks.'
 */
export function bestSentence(question: string, passages: readonly string[], idf: (term: string) => number = () => 1): string {
  const q = new Set(bm25Terms(question));
  const pos = partOfSpeech(question);
  let best = '';
  let bestScore = -1;
  for (const p of passages) {
    for (const s of splitSentences(p)) {
      const list = bm25Terms(s.text);
      const terms = new Set(list);
      let score = 0;
      // A question term that opens the sentence counts half again: "abbey (noun): ..." defines an
      // abbey, "abbot (noun): the superior of an abbey" only mentions one.
      for (const t of q) if (terms.has(t)) score += idf(t) * (list.indexOf(t) < 2 ? 1.5 : 1);
      // A dictionary line of the part of speech the question asks about wins a tie.
      if (pos && pos.test(s.text.slice(0, 80))) score += 0.5;
      // Quoted text found verbatim outweighs any term overlap.
      for (const span of quotedSpans(question)) if (s.text.includes(span)) score += 1000;
      if (score > bestScore || (score === bestScore && s.text.length < best.length)) {
        best = s.text;
        bestScore = score;
      }
    }
  }
  return best;
}

/**
 * The answer inside a sentence: the body after a heading made only of question words
 * (`dog (noun): a domestic ...`), or what follows a quoted span of the question (the next line of
 * a poem), else the whole sentence.
 * @example extractAnswer('「床前明月光」的下一句是什么？', '床前明月光，疑是地上霜。') // '疑是地上霜'
 */
export function extractAnswer(question: string, sentence: string): string {
  const m = /^([^:：]{1,80})[:：]\s*(.+)$/su.exec(sentence);
  if (m) {
    const q = new Set(bm25Terms(question));
    const head = bm25Terms(m[1]).filter((t) => !/^(noun|verb|adj|adv|adjective|adverb|n|v)$/.test(t));
    if (head.length > 0 && head.every((t) => q.has(t))) return m[2].trim();
  }
  for (const span of quotedSpans(question)) {
    const at = sentence.indexOf(span);
    if (at < 0) continue;
    const rest = sentence.slice(at + span.length).replace(/^[\s,，、:：;；.。]+/u, '');
    // The continuation ends at the next clause (Chinese) or sentence (Latin script) end.
    const end = rest.search(/[，。！？；\n]|[.!?](\s|$)/u);
    const next = (end < 0 ? rest : rest.slice(0, end)).trim();
    if (next) return next;
  }
  return sentence;
}
