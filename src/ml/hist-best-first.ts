// Best-first (leaf-wise) growth of one histogram tree (src/ml/hist-tree.ts), on one thread or with a
// helper. Expanding an open node (src/ml/hist-expand.ts) depends only on that node, not on when it is
// expanded, so with a helper (src/ml/hist-nodes.ts) the next-best open nodes are expanded ahead, on
// either thread, while this thread commits splits in exact best-first order: node numbers, leaves and
// values are those of one thread. An expansion the leaf budget never reaches is dropped. While only one
// node can be expanded (the root, and the root's split until its children are open), the two threads
// share that node's step by feature parts instead.

import type { HistBinned } from './hist-binning.js';
import { KIND_EXPAND, KIND_PART, RECORD_WORDS, R_A, R_ARGS, R_BITS, R_CAT, R_DEPTH, R_DID_LARGE, R_DID_SMALL, R_END, R_FEAT, R_BIN, R_G, R_GL, R_HCONST, R_HIST, R_KIND, R_L2, R_MAX_DEPTH, R_ML, R_MSL, R_NO_STEP, R_PARTS, R_Q, R_RES, R_SMALL_HIST, R_SMALL_LEFT, R_START, prepareExpand, runRecord, type ExpandContext } from './hist-expand.js';
import type { NodeQueue } from './hist-nodes.js';
import { ARGS, A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, MIN_HESSIAN, SPLIT_WORDS, readSplit, runStep, type Split } from './hist-split.js';
import type { HistTeam } from './hist-team.js';
import type { GrowResult, HistGrowOptions, HistLeaf, HistTree } from './hist-tree.js';

/** What growing a tree needs from its grower. */
export interface GrowEnv {
  B: HistBinned;
  ctx: ExpandContext;
  /** A free histogram's number, and giving one back. */
  alloc(): number;
  release(k: number): void;
  /** The helper and the queue it takes records from, or null (one thread). */
  helper: { team: HistTeam; queue: NodeQueue } | null;
}

/**
 * Records kept waiting for the helper: one, so it has the next node when it finishes one, with few
 * expansions the leaf budget may never reach.
 */
const AHEAD = 1;

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  /** Number of its histogram, or -1. */
  hist: number;
  split: Split | null;
  /** Its expansion posted to the queue (slot), or -1. */
  slot: number;
  /** Its expansion run ahead on this thread, or null. */
  rec: Float64Array | null;
}

/**
 * Grows one tree on the rows, gradients and hessians (hConst: all 1) in env.ctx.st, rows[0, m), which
 * it permutes so that each leaf's rows are contiguous.
 * @example const { tree, leaves } = growBestFirst(env, true, n, opts);
 */
export function growBestFirst(env: GrowEnv, hConst: boolean, m: number, o: HistGrowOptions): GrowResult {
  const { B, ctx } = env;
  const { g, h, rows } = ctx.st;
  const helper = env.helper;
  // Parts of a step shared by the two threads (1: no sharing).
  const nParts = helper && ctx.stParts ? ctx.stParts.L.parts.length : 1;
  const queue = helper?.queue ?? null;
  let seq = 0;
  if (helper) {
    helper.queue.reset();
    seq = helper.team.beginNodes();
  }
  const posted: number[] = [];
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingLeft: number[] = [];
  const catOffset: number[] = [];
  const bits: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const nodeRows: number[] = [];
  const newNode = (start: number, end: number, depth: number, gs: number, hs: number, cs: number): GrowNode => {
    const id = feature.length;
    nodeRows.push(end - start);
    feature.push(-1); threshold.push(0); missingLeft.push(0); catOffset.push(-1); left.push(-1); right.push(-1); value.push(0);
    return { id, start, end, depth, g: gs, h: hs, c: cs, hist: -1, split: null, slot: -1, rec: null };
  };
  const canSplit = (nd: GrowNode): boolean => nd.depth < o.maxDepth && nd.c >= 2 * o.minSamplesLeaf && nd.h >= 2 * MIN_HESSIAN;
  const open: GrowNode[] = [];
  const done: GrowNode[] = [];
  let commits = 0;
  const local = new Float64Array(RECORD_WORDS);
  // A budget of 2^maxDepth leaves (gradient boosting's depth-limited trees) never stops a node of
  // depth < maxDepth from splitting: every open node is expanded, and all can be queued at once.
  const queueDepth = o.maxLeafNodes >= 2 ** o.maxDepth ? Infinity : AHEAD;

  /** The record of nd's expansion: its split, sums and histograms; noStep when its children stay leaves. */
  const fill = (rec: Float64Array, nd: GrowNode, noStep: boolean): void => {
    const s = nd.split!;
    rec[R_KIND] = KIND_EXPAND;
    rec[R_START] = nd.start; rec[R_END] = nd.end; rec[R_DEPTH] = nd.depth;
    rec[R_G] = nd.g; rec[R_G + 1] = nd.h; rec[R_G + 2] = nd.c;
    rec[R_FEAT] = s.feature; rec[R_BIN] = s.bin; rec[R_ML] = s.missingLeft ? 1 : 0;
    rec[R_CAT] = s.bits ? 1 : 0;
    if (s.bits) for (let w = 0; w < 8; w++) rec[R_BITS + w] = s.bits[w]!;
    rec[R_GL] = s.gL; rec[R_GL + 1] = s.hL; rec[R_GL + 2] = s.cL;
    rec[R_HIST] = nd.hist;
    rec[R_SMALL_HIST] = noStep ? -1 : env.alloc();
    rec[R_NO_STEP] = noStep ? 1 : 0;
    rec[R_MAX_DEPTH] = o.maxDepth; rec[R_MSL] = o.minSamplesLeaf; rec[R_HCONST] = hConst ? 1 : 0; rec[R_L2] = o.l2;
  };

  /** A step's parts: part 0 here, the others posted for the helper (run here if it has not taken them). */
  const stepShared = (args: Float64Array, res: Float64Array): void => {
    const slots: number[] = [];
    for (let q = 1; q < nParts; q++) {
      const k = queue!.post(seq, (rec) => { rec[R_KIND] = KIND_PART; rec[R_Q] = q; rec.set(args, R_ARGS); });
      if (k < 0) runStep(ctx.stParts!, q, args, res);
      else { slots.push(k); posted.push(k); }
    }
    runStep(ctx.stParts!, 0, args, res);
    for (const k of slots) {
      const rec = queue!.record(k);
      if (queue!.take(seq, k)) { runRecord(ctx, rec); queue!.finish(seq, k); } else wait(k);
      const q = rec[R_Q]!;
      res.set(rec.subarray(R_RES + 2 * q * SPLIT_WORDS, R_RES + (2 * q + 2) * SPLIT_WORDS), 2 * q * SPLIT_WORDS);
    }
  };

  const wait = (k: number): void => {
    let spins = 0;
    while (!queue!.done(seq, k)) if ((++spins & 0xffff) === 0) helper!.team.check();
  };

  /** The best open node not yet expanded or posted (first of equal gains, as the growth loop picks), or null. */
  const nextCandidate = (): GrowNode | null => {
    let best: GrowNode | null = null;
    for (const nd of open) if (nd.slot < 0 && nd.rec === null && (best === null || nd.split!.gain > best.split!.gain)) best = nd;
    return best;
  };

  /** Keeps one record waiting for the helper while there are open nodes to expand ahead. */
  const feed = (): void => {
    let waiting = 0;
    for (const k of posted) if (queue!.waiting(seq, k)) waiting++;
    for (; waiting < queueDepth; waiting++) {
      const nd = nextCandidate();
      if (!nd) return;
      // Committed after the node now being committed: the children of a split that can only be the
      // tree's last (or none) stay leaves.
      const noStep = commits + 3 >= o.maxLeafNodes;
      const k = queue!.post(seq, (rec) => fill(rec, nd, noStep));
      if (k < 0) return;
      nd.slot = k;
      posted.push(k);
    }
  };

  const helperIdle = (): boolean => {
    for (const k of posted) if (!queue!.done(seq, k)) return false;
    return true;
  };

  /** nd's expansion (run here, or by the helper), for commit number `commits`. */
  const expansion = (nd: GrowNode, last: boolean): Float64Array => {
    if (nd.rec) return nd.rec;
    if (nd.slot >= 0) {
      feed();
      const rec = queue!.record(nd.slot);
      if (queue!.take(seq, nd.slot)) {
        if (last) rec[R_NO_STEP] = 1; // its smaller child's histogram is given back at the commit
        runRecord(ctx, rec);
        queue!.finish(seq, nd.slot);
        return rec;
      }
      // The helper has it: expand the next open nodes ahead meanwhile.
      while (!queue!.done(seq, nd.slot)) {
        const ahead = nextCandidate();
        if (!ahead) { wait(nd.slot); break; }
        ahead.rec = new Float64Array(RECORD_WORDS);
        fill(ahead.rec, ahead, commits + 3 >= o.maxLeafNodes);
        runRecord(ctx, ahead.rec);
      }
      return rec;
    }
    fill(local, nd, last);
    if (!helper) { runRecord(ctx, local); return local; }
    feed();
    if (!last && helperIdle() && nParts > 1) {
      // The only node to expand: both threads take part in its step.
      local[R_PARTS] = nParts;
      if (prepareExpand(ctx, local)) stepShared(local.subarray(R_ARGS, R_ARGS + ARGS), local.subarray(R_RES));
    } else runRecord(ctx, local);
    return local;
  };

  const commit = (nd: GrowNode, rec: Float64Array, last: boolean): void => {
    const s = nd.split!;
    const j = s.feature;
    feature[nd.id] = j;
    missingLeft[nd.id] = s.missingLeft ? 1 : 0;
    if (s.bits) { catOffset[nd.id] = bits.length; bits.push(...s.bits); threshold[nd.id] = 0; }
    else threshold[nd.id] = s.bin < B.nBins[j]! - 1 ? B.cuts[j]![s.bin]! : Infinity;
    const a = rec[R_A]!;
    const L = newNode(nd.start, a, nd.depth + 1, s.gL, s.hL, s.cL);
    const R = newNode(a, nd.end, nd.depth + 1, nd.g - s.gL, nd.h - s.hL, nd.c - s.cL);
    left[nd.id] = L.id;
    right[nd.id] = R.id;
    const [small, large] = rec[R_SMALL_LEFT] === 1 ? [L, R] : [R, L];
    const parentHist = nd.hist;
    nd.hist = -1;
    const smallHist = rec[R_SMALL_HIST]!;
    const didSmall = rec[R_DID_SMALL] === 1;
    const didLarge = rec[R_DID_LARGE] === 1;
    if (rec[R_NO_STEP] === 1 && !last) throw new Error('histogram tree: an expansion without its children\'s splits was committed before the last split');
    // Children of the split that fills the tree stay leaves: an expansion run ahead may have searched them.
    if (!last && (didSmall || didLarge)) {
      const res = rec.subarray(R_RES);
      small.hist = smallHist;
      const parts = rec[R_PARTS]!;
      if (didSmall) small.split = readSplit(res, parts, 0, B.categorical);
      if (didLarge) { large.hist = parentHist; large.split = readSplit(res, parts, 1, B.categorical); } else env.release(parentHist);
      if (!didSmall) { env.release(smallHist); small.hist = -1; }
    } else {
      env.release(parentHist);
      if (smallHist >= 0) env.release(smallHist);
    }
    for (const c of [L, R]) {
      if (c.split) open.push(c);
      else { done.push(c); if (c.hist >= 0) { env.release(c.hist); c.hist = -1; } }
    }
  };

  let G = 0;
  let H = 0;
  for (let t = 0; t < m; t++) { const i = rows[t]!; G += g[i]!; H += hConst ? 1 : h[i]!; }
  const root = newNode(0, m, 0, G, H, m);
  if (canSplit(root)) {
    root.hist = env.alloc();
    const args = local.subarray(R_ARGS, R_ARGS + ARGS);
    args[A_SMALL] = root.hist; args[A_PARENT] = -1; args[A_START] = 0; args[A_END] = m;
    args[A_G] = G; args[A_G + 1] = H; args[A_G + 2] = m;
    args[A_DO_SMALL] = 1; args[A_DO_LARGE] = 0; args[A_HCONST] = hConst ? 1 : 0; args[A_MSL] = o.minSamplesLeaf; args[A_L2] = o.l2;
    const res = local.subarray(R_RES);
    if (nParts > 1) stepShared(args, res);
    else runStep(ctx.st, 0, args, res);
    root.split = readSplit(res, nParts, 0, B.categorical);
  }
  (root.split ? open : done).push(root);
  if (!root.split && root.hist >= 0) { env.release(root.hist); root.hist = -1; }
  try {
    while (open.length > 0 && open.length + done.length < o.maxLeafNodes) {
      // Best first: the open leaf whose split gains most.
      let bi = 0;
      for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[bi]!.split!.gain) bi = k;
      const nd = open[bi]!;
      open.splice(bi, 1);
      const last = open.length + done.length + 2 >= o.maxLeafNodes;
      commit(nd, expansion(nd, last), last);
      commits++;
    }
  } finally {
    if (helper) {
      // Records still in the queue are dropped; the helper's running one is waited for.
      for (const k of posted) if (!queue!.take(seq, k)) wait(k);
      helper.team.endNodes();
    }
  }
  const leaves: HistLeaf[] = [];
  for (const nd of [...open, ...done]) {
    const v = (-nd.g / (nd.h + o.l2)) * o.learningRate;
    value[nd.id] = v;
    leaves.push({ node: nd.id, start: nd.start, end: nd.end, value: v });
  }
  const tree: HistTree = {
    feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), missingLeft: Uint8Array.from(missingLeft),
    catOffset: Int32Array.from(catOffset), bits: Int32Array.from(bits), left: Int32Array.from(left), right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
  return { tree, leaves, nodeRows: Int32Array.from(nodeRows) };
}
