// UTF-8 as tiktoken and GPT-2 use it: lone surrogates encode as U+FFFD, bad bytes decode as U+FFFD.

/**
 * Writes the UTF-8 bytes of `text[start, end)` into `out` (which needs 3 bytes per UTF-16 unit) and
 * returns the byte count. A lone surrogate becomes EF BF BD (U+FFFD), as `TextEncoder` does.
 *
 * @example
 * const buf = new Uint8Array(6);
 * encodeUtf8Into('hé', 0, 2, buf); // 3: 68 C3 A9
 */
export function encodeUtf8Into(text: string, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xef;
        out[n++] = 0xbf;
        out[n++] = 0xbd;
      }
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

// ignoreBOM keeps a leading U+FEFF, so decode(encode(s)) === s also for text that starts with one.
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Decodes bytes, replacing each maximal invalid subsequence with U+FFFD (Python's `errors='replace'`,
 * which GPT-2's decoder uses).
 *
 * @example
 * decodeUtf8(new Uint8Array([0x68, 0xff])); // 'h\uFFFD'
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}

/**
 * The offset of the first byte that is not part of valid UTF-8, or -1 when all of `bytes` is valid.
 *
 * @example
 * firstInvalidUtf8(new Uint8Array([0x61, 0xc3])); // 1 (truncated sequence)
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + len > n) return i;
    const b1 = bytes[i + 1]!;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < len; k++) {
      const bk = bytes[i + k]!;
      if (bk < 0x80 || bk > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}
