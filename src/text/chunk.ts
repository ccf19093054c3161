// Splitting documents for retrieval: sentences (English and CJK punctuation) and chunks of a few
// sentences that stay under a size, so a retrieved passage fits a small model's context.

/** One sentence with its offset in the source text (code units). */
export interface Sentence {
  text: string;
  start: number;
}

// A sentence ends at . ! ? followed by space, at CJK 。！？；, or at a blank line / line break.
const BOUNDARY = /([.!?]["')\]]*\s+|[。！？；]["”’）」』]*|\n\s*)/gu;

/**
 * The sentences of a text, trimmed, empty ones dropped.
 * @example splitSentences('One. Two!\n三。四') // ['One.', 'Two!', '三。', '四'] (with offsets)
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let last = 0;
  const push = (end: number) => {
    const raw = text.slice(last, end);
    const lead = raw.length - raw.trimStart().length;
    const s = raw.trim();
    if (s) out.push({ text: s, start: last + lead });
  };
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + m[0].length;
    push(end);
    last = end;
  }
  push(text.length);
  return out;
}

/** A retrievable piece of a document. */
export interface Chunk {
  text: string;
  /** Offset of the chunk's first character in its document. */
  start: number;
}

/** Chunking limits, in characters. */
export interface ChunkOptions {
  /** A chunk grows by whole sentences up to this many characters (a longer sentence is cut). */
  maxChars: number;
  /** Sentences repeated from the end of the previous chunk, so an answer spanning a border is whole in one. */
  overlapSentences: number;
}

export const DEFAULT_CHUNK: ChunkOptions = { maxChars: 400, overlapSentences: 1 };

/**
 * Chunks of whole sentences; paragraphs (blank lines) always start a new chunk.
 * @example chunkText('A. B.\n\nC.', { maxChars: 400, overlapSentences: 0 }).map((c) => c.text) // ['A. B.', 'C.']
 */
export function chunkText(text: string, options: ChunkOptions = DEFAULT_CHUNK): Chunk[] {
  if (!(options.maxChars >= 16)) throw new Error(`chunkText: maxChars must be at least 16, got ${options.maxChars}`);
  const chunks: Chunk[] = [];
  let para = 0;
  for (const p of text.split(/\n[ \t]*\n/)) {
    const sentences = splitSentences(p).flatMap((s) => cutLong(s, options.maxChars));
    const base = para;
    para += p.length + (text.slice(para + p.length).match(/^\n[ \t]*\n/)?.[0].length ?? 0);
    let i = 0;
    while (i < sentences.length) {
      let j = i;
      let len = 0;
      while (j < sentences.length && (j === i || len + 1 + sentences[j].text.length <= options.maxChars)) {
        len += (j === i ? 0 : 1) + sentences[j].text.length;
        j++;
      }
      // The source's own text between the first and last sentence: line breaks stay sentence borders.
      const last = sentences[j - 1];
      chunks.push({ text: p.slice(sentences[i].start, last.start + last.text.length), start: base + sentences[i].start });
      if (j >= sentences.length) break;
      i = Math.max(i + 1, j - options.overlapSentences);
    }
  }
  return chunks;
}

function cutLong(s: Sentence, max: number): Sentence[] {
  if (s.text.length <= max) return [s];
  const out: Sentence[] = [];
  for (let i = 0; i < s.text.length; i += max) out.push({ text: s.text.slice(i, i + max).trim(), start: s.start + i });
  return out.filter((x) => x.text.length > 0);
}
