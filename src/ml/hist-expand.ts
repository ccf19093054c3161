// Expanding one node of a histogram tree (src/ml/hist-tree.ts) as a self-contained task: partition the
// node's rows by its split, build the smaller child's histogram, take the larger's as the parent's
// minus it, and search both children's splits. The task reads and writes only the node's own rows
// (rows[start, end) and the scratch at the same positions) and its own histograms, so two nodes can
// be expanded at the same time on two threads, in any order, with the same results to the bit: the
// fitting thread then commits them in best-first order (src/ml/hist-nodes.ts). A task is a record of
// doubles (on shared memory when threads share it); a part task runs one feature part of a step.

import { MISSING_BIN } from './hist-binning.js';
import { A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, ARGS, MIN_HESSIAN, SPLIT_WORDS, runStep, type StepState } from './hist-split.js';

const MISS = MISSING_BIN; // a module constant: under tsx an imported binding is a getter call per read

/** Record kinds: a whole node's expansion, or one feature part of a step whose arguments are given. */
export const KIND_EXPAND = 1;
export const KIND_PART = 2;

// Inputs of a record.
export const R_KIND = 0;
export const R_Q = 1; // part of a KIND_PART record
export const R_START = 2;
export const R_END = 3;
export const R_DEPTH = 4;
export const R_G = 5; // G, H, C of the node
export const R_FEAT = 8; // its split: feature, bin, missing left, categorical, 8-word bitset, left sums
export const R_BIN = 9;
export const R_ML = 10;
export const R_CAT = 11;
export const R_BITS = 12;
export const R_GL = 20; // gL, hL, cL
export const R_HIST = 23; // the node's histogram (becomes the larger child's)
export const R_SMALL_HIST = 24; // a free histogram for the smaller child
export const R_NO_STEP = 25; // the children stay leaves: partition only
export const R_MAX_DEPTH = 26;
export const R_MSL = 27;
export const R_HCONST = 28;
export const R_L2 = 29;
// Outputs.
export const R_A = 30; // where the right child's rows start
export const R_SMALL_LEFT = 31; // 1 when the left child is the smaller (the one built)
export const R_DID_SMALL = 32; // the smaller child's split was searched (its histogram built)
export const R_DID_LARGE = 33; // the larger child's histogram taken (from the parent's) and searched
export const R_PARTS = 34; // the feature parts the results are in (readSplit's nParts)
export const R_ARGS = 35; // the step's arguments (src/ml/hist-split.ts), given for KIND_PART
export const R_RES = R_ARGS + ARGS; // split results, per part and child (readSplit's layout)
/** Doubles per record: room for the results of two feature parts. */
export const RECORD_WORDS = R_RES + 4 * SPLIT_WORDS;

/**
 * What an expansion works on: the step state (rows, gradients, histograms by number) on a one-part
 * layout, the same on a layout of two feature parts (src/ml/hist-layout.ts splitLayout: a step shared
 * by two threads), or null, and a scratch as long as rows.
 */
export interface ExpandContext {
  st: StepState;
  stParts: StepState | null;
  right: Int32Array;
}

/** A record and views of its step arguments and results, made once (a view is an allocation, and a tree expands dozens of nodes). */
export interface NodeRecord {
  rec: Float64Array;
  args: Float64Array;
  res: Float64Array;
}

export function nodeRecord(rec: Float64Array): NodeRecord {
  return { rec, args: rec.subarray(R_ARGS, R_ARGS + ARGS), res: rec.subarray(R_RES) };
}

/**
 * Runs a record: a node's expansion, or one part of a step.
 * @example runRecord(ctx, r); // r.rec[R_A], r.res filled in
 */
export function runRecord(ctx: ExpandContext, r: NodeRecord): void {
  const { rec, args, res } = r;
  if (rec[R_KIND] === KIND_PART) {
    runStep(ctx.stParts!, rec[R_Q]!, args, res);
    return;
  }
  rec[R_PARTS] = ctx.st.L.parts.length;
  if (!prepareExpand(ctx, r)) return;
  for (let q = 0; q < ctx.st.L.parts.length; q++) runStep(ctx.st, q, args, res);
}

/**
 * The first half of an expansion: partitions the node's rows and writes the step's arguments (at
 * R_ARGS); true when a step is to run (on every part: runRecord, or parts on both threads).
 */
export function prepareExpand(ctx: ExpandContext, r: NodeRecord): boolean {
  const { rec, args } = r;
  const { st } = ctx;
  const n = st.L.B.rows;
  // Integers as int32 (| 0): read from the record's doubles, they would index rows as doubles, each
  // index converted and checked in the loops.
  const start = rec[R_START]! | 0;
  const end = rec[R_END]! | 0;
  const j = rec[R_FEAT]! | 0;
  let bits: Int32Array | null = null;
  if (rec[R_CAT] === 1) {
    bits = new Int32Array(8);
    for (let w = 0; w < 8; w++) bits[w] = rec[R_BITS + w]!;
  }
  const a = partition(st.L.B.codes, j * n, st.rows, start, end, rec[R_BIN]! | 0, rec[R_ML]! | 0, bits, ctx.right);
  rec[R_A] = a;
  // The children's sums: the left's from the split, the right's as the node's minus them.
  const gL = rec[R_GL]!;
  const hL = rec[R_GL + 1]!;
  const cL = rec[R_GL + 2]!;
  const gR = rec[R_G]! - gL;
  const hR = rec[R_G + 1]! - hL;
  const cR = rec[R_G + 2]! - cL;
  const smallLeft = a - start <= end - a;
  rec[R_SMALL_LEFT] = smallLeft ? 1 : 0;
  const msl = rec[R_MSL]!;
  // Each child can split: below the depth limit, with rows for two leaves and enough hessian.
  const deep = rec[R_DEPTH]! + 1 < rec[R_MAX_DEPTH]! && rec[R_NO_STEP] !== 1;
  const leftOk = deep && cL >= 2 * msl && hL >= 2 * MIN_HESSIAN;
  const rightOk = deep && cR >= 2 * msl && hR >= 2 * MIN_HESSIAN;
  const doSmall = smallLeft ? leftOk : rightOk;
  const doLarge = smallLeft ? rightOk : leftOk;
  rec[R_DID_SMALL] = doSmall ? 1 : 0;
  rec[R_DID_LARGE] = doLarge ? 1 : 0;
  if (!doSmall && !doLarge) return false;
  args[A_SMALL] = rec[R_SMALL_HIST]!;
  args[A_PARENT] = rec[R_HIST]!;
  args[A_START] = smallLeft ? start : a;
  args[A_END] = smallLeft ? a : end;
  args[A_G] = smallLeft ? gL : gR; args[A_G + 1] = smallLeft ? hL : hR; args[A_G + 2] = smallLeft ? cL : cR;
  args[A_G + 3] = smallLeft ? gR : gL; args[A_G + 4] = smallLeft ? hR : hL; args[A_G + 5] = smallLeft ? cR : cL;
  args[A_DO_SMALL] = doSmall ? 1 : 0;
  args[A_DO_LARGE] = doLarge ? 1 : 0;
  args[A_HCONST] = rec[R_HCONST]!;
  args[A_MSL] = msl;
  args[A_L2] = rec[R_L2]!;
  return true;
}

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
