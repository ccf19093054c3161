// GPT-2 pre-tokenization: the split regex as a hand-written scanner with the same matches, several times faster.

/**
 * GPT-2's split pattern (use with the `gu` flags). The scanner below returns exactly its matches.
 *
 * @example
 * 'Hello world'.match(new RegExp(GPT2_PATTERN, 'gu')); // ['Hello', ' world']
 */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;
const OTHER = 4;

// One class per code point, filled on first sight by JS's own regex classes, so the scanner follows
// the same Unicode tables (and the same JS-specific `\s`, which includes U+FEFF but not U+0085).
const classes = new Uint8Array(0x110000);
const reLetter = /^\p{L}$/u;
const reNumber = /^\p{N}$/u;
const reSpace = /^\s$/u;

function computeClass(cp: number): number {
  // A lone surrogate is one code point for a `u` regex, in none of the three classes.
  if (cp >= 0xd800 && cp <= 0xdfff) return OTHER;
  const ch = String.fromCodePoint(cp);
  if (reLetter.test(ch)) return LETTER;
  if (reNumber.test(ch)) return NUMBER;
  if (reSpace.test(ch)) return SPACE;
  return OTHER;
}
for (let cp = 0; cp < 0x80; cp++) classes[cp] = computeClass(cp);

function classOf(cp: number): number {
  const k = classes[cp]!;
  if (k !== 0) return k;
  return (classes[cp] = computeClass(cp));
}

/** The code point at `i`, joining a surrogate pair that lies before `end`. */
function codePointAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * The end of the GPT-2 pre-token that starts at `i` in `text[i, end)`; `end` acts as the end of the
 * string (for the `(?!\S)` look-ahead). Call it again from the returned index for the next piece.
 *
 * @example
 * nextPieceEnd("it's", 0, 4); // 2 ('it'), then nextPieceEnd("it's", 2, 4) === 4 ("'s")
 */
export function nextPieceEnd(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    // Fast ASCII paths: the common shapes of English text and code.
    if (c === 0x27 && i + 1 < end) {
      // 's 't 're 've 'm 'll 'd
      const d = text.charCodeAt(i + 1);
      if (d === 0x73 || d === 0x74 || d === 0x6d || d === 0x64) return i + 2;
      if (i + 2 < end) {
        const e = text.charCodeAt(i + 2);
        if ((e === 0x65 && (d === 0x72 || d === 0x76)) || (e === 0x6c && d === 0x6c)) return i + 3;
      }
    }
  }
  let p = i;
  let cp = c < 0x80 ? c : codePointAt(text, i, end);
  let k = c < 0x80 ? classes[c]! : classOf(cp);
  if (c === 0x20 && i + 1 < end) {
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': a space joins the run that follows it.
    const cp2 = codePointAt(text, i + 1, end);
    const k2 = cp2 < 0x80 ? classes[cp2]! : classOf(cp2);
    if (k2 !== SPACE) {
      p = i + 1;
      cp = cp2;
      k = k2;
    }
  }
  if (k !== SPACE) {
    p += cp > 0xffff ? 2 : 1;
    while (p < end) {
      const cc = text.charCodeAt(p);
      if (cc < 0x80) {
        if (classes[cc] !== k) break;
        p++;
      } else {
        const q = codePointAt(text, p, end);
        if (classOf(q) !== k) break;
        p += q > 0xffff ? 2 : 1;
      }
    }
    return p;
  }
  // Whitespace (all of JS's `\s` is in the BMP): '\s+(?!\S)' takes the run, less its last character
  // when a non-space follows, so that character can lead the next piece; '\s+' takes a lone one.
  let q = i + 1;
  while (q < end) {
    const cc = text.charCodeAt(q);
    if ((cc < 0x80 ? classes[cc] : classOf(codePointAt(text, q, end))) !== SPACE) break;
    q++;
  }
  if (q === end || q - 1 === i) return q;
  return q - 1;
}

/**
 * Splits text into GPT-2 pre-tokens (the regex matches, in order; together they are the whole text).
 *
 * @example
 * pretokenize("Hello  world's 42!"); // ['Hello', ' ', ' world', "'s", ' 42', '!']
 */
export function pretokenize(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const j = nextPieceEnd(text, i, text.length);
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}
