// Philox 4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"): a counter-based
// generator, so element i of a random tensor is a pure function of (seed, counter i) on every device.
// This is the reference; WGSL and wasm versions must give the same bits.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

// The multipliers' 16-bit halves: a * M splits into four products that are each exact in a double.
const M0L = M0 & 0xffff, M0H = M0 >>> 16;
const M1L = M1 & 0xffff, M1H = M1 >>> 16;

/** High 32 bits of a * (mh * 2^16 + ml) for 32-bit unsigned a, by 16-bit halves (exact integer arithmetic). */
function mulhi(a: number, ml: number, mh: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const lh = al * mh;
  const hl = ah * ml;
  const mid = ((al * ml) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * mh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

// One call's output words, written in place: a dropout mask of millions of elements allocates
// nothing (returning arrays per round and per element was most of a fine-tuning step with dropout).
const words = new Uint32Array(4);

/** Philox 4x32-10's ten rounds for counter (c0, c1, c2, c3) and key (k0, k1), into `words`. */
function philoxRounds(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(x0, M0L, M0H);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(x2, M1L, M1H);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  words[0] = x0;
  words[1] = x1;
  words[2] = x2;
  words[3] = x3;
}

/**
 * The four 32-bit outputs of Philox 4x32-10 for counter (c0, c1, c2, c3) and key (k0, k1).
 * @example philox4x32(0, 0, 0, 0, 0, 0) // [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): [number, number, number, number] {
  philoxRounds(c0, c1, c2, c3, k0, k1);
  return [words[0], words[1], words[2], words[3]];
}

/**
 * A uniform number in [0, 1) for element `index` of a stream `seed`: counter (index, 0, 0, 0), key
 * (seed, 0), first output word, top 24 bits (exact in float32 on every device).
 */
export function philoxUniform(seed: number, index: number): number {
  philoxRounds(index >>> 0, Math.floor(index / 4294967296) >>> 0, 0, 0, seed, 0);
  return (words[0] >>> 8) / 16777216;
}

export function dropout(x: Float32Array | Float64Array, out: Float32Array | Float64Array, mask: Float32Array | Float64Array, p: number, seed: number, offset: number): boolean {
  const scale = 1 / (1 - p);
  for (let i = 0; i < x.length; i++) {
    const keep = philoxUniform(seed, offset + i) >= p ? scale : 0;
    mask[i] = keep;
    out[i] = x[i] * keep;
  }
  return true;
}
