// GPT-2's byte-to-unicode map: each of the 256 bytes as one printable character, so BPE vocabularies are strings.

/**
 * The character for each byte (index = byte). Printable Latin-1 bytes map to themselves; the other 68
 * (controls, space, soft hyphen...) map to U+0100 onwards in byte order, exactly as GPT-2's
 * `bytes_to_unicode()`. Space (0x20) becomes 'Ġ' (U+0120), newline 'Ċ' (U+010A).
 *
 * @example
 * BYTE_TO_CHAR[0x20]; // 'Ġ'
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  return out;
})();

/** The byte for each char code of the map (index = char code < 324), -1 where the char is not in the map. */
export const CHAR_TO_BYTE: Int16Array = (() => {
  const out = new Int16Array(324).fill(-1);
  BYTE_TO_CHAR.forEach((c, b) => {
    out[c.charCodeAt(0)] = b;
  });
  return out;
})();

/**
 * The 256 bytes in the order GPT-2 gives them ids 0..255 (the map's characters sorted by code point):
 * '!' (0x21) first, then the rest of the printable bytes, then the remapped ones.
 *
 * @example
 * BYTE_ORDER[0]; // 0x21
 */
export const BYTE_ORDER: readonly number[] = Array.from({ length: 256 }, (_, b) => b).sort(
  (a, b) => BYTE_TO_CHAR[a]!.charCodeAt(0) - BYTE_TO_CHAR[b]!.charCodeAt(0),
);

/**
 * Bytes as a vocabulary string.
 *
 * @example
 * bytesToToken(new Uint8Array([0x20, 0x68, 0x69])); // 'Ġhi'
 */
export function bytesToToken(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]!];
  return s;
}

/**
 * A vocabulary string back to bytes, or null when a character is outside the byte map
 * (such a token cannot come from byte-level BPE).
 *
 * @example
 * tokenToBytes('Ġhi'); // Uint8Array [0x20, 0x68, 0x69]
 */
export function tokenToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c]! : -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}
