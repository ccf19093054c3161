// SQuAD-style answer scoring (Rajpurkar et al. 2016): normalised exact match, token F1 and
// containment, with CJK text scored per character (Chinese has no spaces to split words on).

/** CJK ideographs, kana, hangul and CJK punctuation: each such character is one token. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u{20000}-\u{2fa1f}]/u;
const CJK_GLOBAL = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u{20000}-\u{2fa1f}])/gu;

/**
 * SQuAD's normalisation: lower case, punctuation removed (ASCII and CJK), English articles removed,
 * whitespace squeezed.
 * @example normalizeAnswer('The  Eiffel Tower!') // 'eiffel tower'
 */
export function normalizeAnswer(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Tokens of a normalised answer: whitespace-separated words, with every CJK character its own token.
 * @example answerTokens('来对白头吟') // ['来', '对', '白', '头', '吟']
 */
export function answerTokens(s: string): string[] {
  return normalizeAnswer(s).replace(CJK_GLOBAL, ' $1 ').split(/\s+/).filter((t) => t.length > 0);
}

/** Whether a text holds any CJK character. */
export function hasCjk(s: string): boolean {
  return CJK.test(s);
}

/** 1 when the normalised prediction equals the normalised gold answer. */
export function exactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/**
 * Token F1 of the bag of prediction tokens against the gold tokens (SQuAD's definition).
 * @example tokenF1('the capital is Paris', 'Paris') // 2 * (1/3 * 1) / (1/3 + 1) = 0.5
 */
export function tokenF1(prediction: string, gold: string): number {
  const p = answerTokens(prediction);
  const g = answerTokens(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) { common++; counts.set(t, c - 1); }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** 1 when the normalised gold answer appears inside the normalised prediction (a lenient match). */
export function contains(prediction: string, gold: string): number {
  const g = normalizeAnswer(gold);
  if (g.length === 0) return 0;
  // Token boundaries for words; CJK answers match as substrings.
  const p = normalizeAnswer(prediction);
  return hasCjk(g) ? (p.includes(g) ? 1 : 0) : (` ${p} `.includes(` ${g} `) ? 1 : 0);
}

/** Mean scores of predictions against gold answers, the shape `moxing eval --task qa` prints. */
export interface QaScores {
  n: number;
  exactMatch: number;
  f1: number;
  contains: number;
}

/**
 * Averages exact match, F1 and containment over paired predictions and answers.
 * @example scoreAnswers(['Paris'], ['paris']) // { n: 1, exactMatch: 1, f1: 1, contains: 1 }
 */
export function scoreAnswers(predictions: readonly string[], golds: readonly string[]): QaScores {
  if (predictions.length !== golds.length) throw new Error(`scoreAnswers: ${predictions.length} predictions for ${golds.length} answers`);
  let em = 0;
  let f1 = 0;
  let ct = 0;
  predictions.forEach((p, i) => {
    em += exactMatch(p, golds[i]);
    f1 += tokenF1(p, golds[i]);
    ct += contains(p, golds[i]);
  });
  const n = predictions.length;
  return { n, exactMatch: n ? em / n : 0, f1: n ? f1 / n : 0, contains: n ? ct / n : 0 };
}
