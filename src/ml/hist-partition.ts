// Partitioning a node's rows by its split (src/ml/hist-best-first.ts): the rows going left first,
// then the rows going right, each side in its former order, so that a tree's leaves end with their
// rows contiguous and in one order whatever thread grew the tree.

import { MISSING_BIN } from './hist-binning.js';

const MISS = MISSING_BIN; // a module constant: under tsx an imported binding is a getter call per read

/**
 * Partitions rows[start, end) so the rows going left come first, each side in its former order;
 * returns where the right ones start. Without branches on the rows (a left/right guess per row was
 * wrong half the time): every row is written to both sides' cursors and only its side's advances.
 * The right side waits in right[start, end), so nodes partition side by side.
 */
export function partition(codes: Uint8Array, col: number, rows: Int32Array, start: number, end: number, bin: number, missingLeft: number, bits: Int32Array | null, right: Int32Array): number {
  let a = start;
  let r = start;
  const ml = missingLeft;
  if (bits) {
    for (let t = start; t < end; t++) {
      const i = rows[t]!;
      const code = codes[col + i]!;
      const l = code === MISS ? ml : (bits[code >> 5]! >>> (code & 31)) & 1;
      rows[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  } else {
    for (let t = start; t < end; t++) {
      const i = rows[t]!;
      const code = codes[col + i]!;
      // code <= bin, or a missing value (code 255 > every bin) going left.
      const l = (1 - ((bin - code) >>> 31)) | (ml & +(code === MISS));
      rows[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  }
  // The right side moved back by a loop: rows.set(right.subarray(...)) made a view per node.
  for (let t = start, u = a; t < r; t++, u++) rows[u] = right[t]!;
  return a;
}

/**
 * One thread's half of a partition shared by two threads (src/ml/hist-best-first.ts): src[from, to)
 * split into the rows going left, written to left[0, a), and right, written to right[0, r); returns a.
 * Where each half's rows then go in the node follows from the split's left count, which both threads
 * know, so the halves are placed without a word between the threads.
 */
export function partitionHalf(codes: Uint8Array, col: number, src: Int32Array, from: number, to: number, bin: number, missingLeft: number, bits: Int32Array | null, left: Int32Array, right: Int32Array): number {
  let a = 0;
  let r = 0;
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
      const l = (1 - ((bin - code) >>> 31)) | (ml & +(code === MISS));
      left[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  }
  return a;
}
