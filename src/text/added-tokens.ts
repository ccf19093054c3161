// Finding added tokens (special tokens such as <|endoftext|>) in raw text, before pre-tokenization.

import type { AddedToken } from './tokenizer-json.js';

function escapeRegex(s: string): string {
  return s.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const SPACE = /\s/u;

/**
 * Splits text at added tokens, leftmost-longest first (as HF's tokenizers does).
 *
 * @example
 * const m = new AddedTokenMatcher([{ id: 9, content: '<|endoftext|>', special: true, lstrip: false, rstrip: false, singleWord: false, normalized: false }]);
 * m.split('a<|endoftext|>b', true); // [0, 1, -1, 1, 14, 9, 14, 15, -1]: (start, end, id or -1 for text)
 */
export class AddedTokenMatcher {
  private readonly all: RegExp | null;
  private readonly nonSpecial: RegExp | null;
  private readonly byContent = new Map<string, AddedToken>();

  constructor(tokens: readonly AddedToken[]) {
    for (const t of tokens) this.byContent.set(t.content, t);
    const build = (list: AddedToken[]) =>
      list.length === 0
        ? null
        : new RegExp(
            // Longest first: at one position the regex takes the first alternative that matches.
            [...list].sort((a, b) => b.content.length - a.content.length).map((t) => escapeRegex(t.content)).join('|'),
            'gu',
          );
    this.all = build([...this.byContent.values()]);
    this.nonSpecial = build([...this.byContent.values()].filter((t) => !t.special));
  }

  /** True when there is nothing to look for (with `allowSpecial` as given). */
  isEmpty(allowSpecial: boolean): boolean {
    return (allowSpecial ? this.all : this.nonSpecial) === null;
  }

  /**
   * Segments of `text` as flat triples (start, end, id), id -1 for ordinary text. With `allowSpecial`
   * false, special tokens are left in the text as ordinary characters.
   */
  split(text: string, allowSpecial: boolean): number[] {
    const re = allowSpecial ? this.all : this.nonSpecial;
    const out: number[] = [];
    let start = 0;
    if (re !== null) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const t = this.byContent.get(m[0])!;
        let s = m.index;
        let e = s + m[0].length;
        if (t.singleWord && ((s > 0 && WORD_CHAR.test(text[s - 1]!)) || (e < text.length && WORD_CHAR.test(text[e]!)))) {
          re.lastIndex = s + 1;
          continue;
        }
        if (t.lstrip) while (s > start && SPACE.test(text[s - 1]!)) s--;
        if (t.rstrip) while (e < text.length && SPACE.test(text[e]!)) e++;
        if (s > start) out.push(start, s, -1);
        out.push(s, e, t.id);
        start = e;
        re.lastIndex = e;
      }
    }
    if (start < text.length) out.push(start, text.length, -1);
    return out;
  }
}
