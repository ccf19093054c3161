// Partitioning a node's rows by its split (src/ml/hist-best-first.ts): the rows going left first,
// then the rows going right, each side in its former order, so that a tree's leaves end with their
// rows contiguous and in one order whatever thread grew the tree.

import { MISSING_BIN } from './hist-binning.js';

const MISS = MISSING_BIN; // a module constant: under tsx an imported binding is a getter call per read

/**
 * Partitions rows[start, end) so the rows going left come first, each side in its former order;
 * returns where the right ones start. The right side waits in right[start, end), so nodes partition
 * side by side.
 */
export function partition(codes: Uint8Array, col: number, rows: Int32Array, start: number, end: number, bin: number, missingLeft: number, bits: Int32Array | null, right: Int32Array): number {
  // The rows going left are written over rows already read (each at or before its reader).
  const a = start + splitRows(codes, col, rows, start, end, bin, missingLeft, bits, rows, right, start);
  // The right side moved back by a loop: rows.set(right.subarray(...)) made a view per node.
  for (let t = start, u = a; u < end; t++, u++) rows[u] = right[t]!;
  return a;
}

/**
 * Splits src[from, to) into the rows going left, written to left[at, at + a), and those going right,
 * written to right[at, ...), each in its former order; returns a. Without branches on the rows (a
 * left/right guess per row was wrong half the time): every row is written to both sides' cursors and
 * only its side's advances. Two threads sharing a partition (src/ml/hist-best-first.ts) each split
 * half of a node's rows: where each half's rows then go follows from the split's left count, which
 * both know, so the halves are placed without a word between the threads.
 */
export function splitRows(codes: Uint8Array, col: number, src: Int32Array, from: number, to: number, bin: number, missingLeft: number, bits: Int32Array | null, left: Int32Array, right: Int32Array, at: number): number {
  let a = at;
  let r = at;
  const ml = missingLeft;
  if (bits) {
    for (let t = from; t < to; t++) {
      const i = src[t]!;
      const code = codes[col + i]!;
      const l = code === MISS ? ml : (bits[code >> 5]! >>> (code & 31)) & 1;
      left[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  } else {
    for (let t = from; t < to; t++) {
      const i = src[t]!;
      const code = codes[col + i]!;
      // code <= bin, or a missing value (code 255 > every bin) going left.
      const l = (1 - ((bin - code) >>> 31)) | (ml & +(code === MISS));
      left[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  }
  return a - at;
}
