// Turns a stream of token ids into text pieces: whole UTF-8 characters only, and stop strings cut
// the text (text that might begin a stop string is held back until it is clear).

import type { Tokenizer } from '../text/tokenizer.js';

/** Length of the longest prefix of `bytes` that ends on a UTF-8 character boundary. */
function completePrefix(bytes: Uint8Array): number {
  let i = bytes.length;
  // Look back at most 3 bytes for the start of an unfinished multi-byte character.
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) i = bytes.length - back;
    break;
  }
  return i;
}

/**
 * @example
 * const d = new StreamDecoder(tokenizer, ['\n\n']);
 * for (const id of ids) { process.stdout.write(d.push(id)); if (d.stopped) break; }
 * process.stdout.write(d.flush());
 */
export class StreamDecoder {
  private bytes = new Uint8Array(256);
  private length = 0;
  private emitted = 0;
  /** Everything decoded so far, cut at a stop string. */
  text = '';
  /** True once a stop string appeared. */
  stopped = false;

  constructor(private readonly tokenizer: Tokenizer, private readonly stops: readonly string[] = []) {}

  /** Adds one token; returns the text that is now safe to show. */
  push(id: number): string {
    if (this.stopped) return '';
    const piece = this.tokenizer.decodeBytes([id]);
    if (this.length + piece.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + piece.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(piece, this.length);
    this.length += piece.length;
    const end = completePrefix(this.bytes.subarray(0, this.length));
    this.text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, end).toString('utf8');
    return this.release(false);
  }

  /** The rest of the text at the end of generation (an unfinished character becomes U+FFFD). */
  flush(): string {
    if (!this.stopped) this.text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('utf8');
    return this.release(true);
  }

  private release(final: boolean): string {
    let safe = this.text.length;
    for (const stop of this.stops) {
      if (!stop) continue;
      const at = this.text.indexOf(stop);
      if (at >= 0 && !this.stopped) {
        this.stopped = true;
        this.text = this.text.slice(0, at);
        safe = Math.min(safe, at);
      }
    }
    if (!this.stopped && !final) {
      // Hold back a tail that could still grow into a stop string.
      for (const stop of this.stops) {
        for (let k = Math.min(stop.length - 1, this.text.length); k > 0; k--) {
          if (this.text.endsWith(stop.slice(0, k))) { safe = Math.min(safe, this.text.length - k); break; }
        }
      }
    }
    safe = Math.min(safe, this.text.length);
    const out = safe > this.emitted ? this.text.slice(this.emitted, safe) : '';
    this.emitted = Math.max(this.emitted, safe);
    return out;
  }
}
