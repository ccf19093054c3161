// Best-first (leaf-wise) growth of one histogram tree (src/ml/hist-tree.ts), on one thread or with a
// helper. Expanding an open node (src/ml/hist-expand.ts) depends only on that node, not on when it is
// expanded, so with a helper (src/ml/hist-nodes.ts) the next-best open nodes are expanded ahead, on
// either thread, while this thread commits splits in exact best-first order: node numbers, leaves and
// values are those of one thread. An expansion the leaf budget never reaches is dropped. While only one
// node can be expanded (the root, and the root's split until its children are open), the two threads
// share that node's step by feature parts instead.

import type { HistBinned } from './hist-binning.js';
import { KIND_EXPAND, KIND_PART, RECORD_WORDS, R_A, R_ARGS, R_BITS, R_CAT, R_DEPTH, R_DID_LARGE, R_DID_SMALL, R_END, R_FEAT, R_BIN, R_G, R_GL, R_HCONST, R_HIST, R_KIND, R_L2, R_MAX_DEPTH, R_ML, R_MSL, R_NO_STEP, R_PARTS, R_Q, R_SMALL_HIST, R_SMALL_LEFT, R_START, nodeRecord, prepareExpand, runRecord, type ExpandContext, type NodeRecord } from './hist-expand.js';
import type { NodeQueue } from './hist-nodes.js';
import { A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, MIN_HESSIAN, SPLIT_WORDS, readSplit, runStep, type Split } from './hist-split.js';
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
  rec: NodeRecord | null;
}

/**
 * Grows trees one at a time on the rows, gradients and hessians in env.ctx.st: a grower keeps one for
 * its life. The per-tree state lives in fields and the steps are methods, defined once (a closure per
 * step and tree cost about 5 µs a tree, a tenth of a depth-3 tree on digits).
 * @example const { tree, leaves } = new BestFirst(env).grow(true, n, opts);
 */
export class BestFirst {
  private readonly local = nodeRecord(new Float64Array(RECORD_WORDS));
  private readonly posted: number[] = [];
  /** Posted records that ran (the others were taken back unrun at the tree's end). */
  private readonly ranPosted = new Set<number>();
  /** Each row's place in the root's order (rows with a helper; see undoDropped). */
  private readonly rootPlace: Int32Array;
  private open: GrowNode[] = [];
  private done: GrowNode[] = [];
  private o!: HistGrowOptions;
  private hConst = true;
  private helper: GrowEnv['helper'] = null;
  private nParts = 1;
  private seq = 0;
  private commits = 0;
  private queueDepth = AHEAD;
  // The tree as it grows.
  private feature: number[] = [];
  private threshold: number[] = [];
  private missingLeft: number[] = [];
  private catOffset: number[] = [];
  private bits: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private nodeRows: number[] = [];

  constructor(private readonly env: GrowEnv) {
    this.rootPlace = new Int32Array(env.helper ? env.B.rows : 0);
  }

  /**
   * Grows one tree on rows[0, m) (hConst: every hessian 1), which it permutes so that each leaf's
   * rows are contiguous; with `helped`, the helper expands nodes ahead.
   */
  grow(hConst: boolean, m: number, o: HistGrowOptions, helped = true): GrowResult {
    const { env } = this;
    const { B, ctx } = env;
    const { g, h, rows } = ctx.st;
    this.o = o;
    this.hConst = hConst;
    this.helper = helped ? env.helper : null;
    const helper = this.helper;
    // Parts of a step shared by the two threads (1: no sharing).
    this.nParts = helper && ctx.stParts ? ctx.stParts.L.parts.length : 1;
    this.commits = 0;
    this.posted.length = 0;
    this.open = [];
    this.done = [];
    this.feature = []; this.threshold = []; this.missingLeft = []; this.catOffset = []; this.bits = []; this.left = []; this.right = []; this.nodeRows = [];
    // A budget of 2^maxDepth leaves (gradient boosting's depth-limited trees) never stops a node of
    // depth < maxDepth from splitting: every open node is expanded, and all can be queued at once.
    this.queueDepth = o.maxLeafNodes >= 2 ** o.maxDepth ? Infinity : AHEAD;
    if (helper) {
      helper.queue.reset();
      this.seq = helper.team.beginNodes();
      for (let t = 0; t < m; t++) this.rootPlace[rows[t]!] = t;
    }
    const { open, done } = this;
    let G = 0;
    let H = 0;
    for (let t = 0; t < m; t++) { const i = rows[t]!; G += g[i]!; H += hConst ? 1 : h[i]!; }
    const root = this.newNode(0, m, 0, G, H, m);
    if (this.canSplit(root)) {
      root.hist = env.alloc();
      const { args, res } = this.local;
      args[A_SMALL] = root.hist; args[A_PARENT] = -1; args[A_START] = 0; args[A_END] = m;
      args[A_G] = G; args[A_G + 1] = H; args[A_G + 2] = m;
      args[A_DO_SMALL] = 1; args[A_DO_LARGE] = 0; args[A_HCONST] = hConst ? 1 : 0; args[A_MSL] = o.minSamplesLeaf; args[A_L2] = o.l2;
      if (this.nParts > 1) this.stepShared(args, res);
      else runStep(ctx.st, 0, args, res);
      root.split = readSplit(res, this.nParts, 0, B.categorical);
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
        this.commit(nd, this.expansion(nd, last), last);
        this.commits++;
      }
    } finally {
      if (helper) {
        // Records still in the queue are dropped; the helper's running one is waited for.
        this.ranPosted.clear();
        for (const k of this.posted) if (!helper.queue.take(this.seq, k)) { this.wait(k); this.ranPosted.add(k); }
        helper.team.endNodes();
      }
    }
    if (helper) this.undoDropped();
    const value = new Float64Array(this.feature.length);
    const leaves: HistLeaf[] = [];
    for (const nd of [...open, ...done]) {
      const v = (-nd.g / (nd.h + o.l2)) * o.learningRate;
      value[nd.id] = v;
      leaves.push({ node: nd.id, start: nd.start, end: nd.end, value: v });
    }
    const tree: HistTree = {
      feature: Int32Array.from(this.feature), threshold: Float64Array.from(this.threshold), missingLeft: Uint8Array.from(this.missingLeft),
      catOffset: Int32Array.from(this.catOffset), bits: Int32Array.from(this.bits), left: Int32Array.from(this.left), right: Int32Array.from(this.right),
      value,
    };
    return { tree, leaves, nodeRows: Int32Array.from(this.nodeRows) };
  }

  /**
   * Puts back the rows of open nodes whose expansion ran ahead and was dropped: it partitioned their
   * rows, and a leaf's rows must be in one thread's order (gradient boosting sums a leaf's rows in
   * that order for its Newton step). Each side of the partition kept the root's order, so the rows
   * are merged back by their place in it.
   */
  private undoDropped(): void {
    const { rows } = this.env.ctx.st;
    const right = this.env.ctx.right;
    const queue = this.helper!.queue;
    const at = this.rootPlace;
    for (const nd of this.open) {
      // A posted record ran unless it was still waiting at the end (then it was taken back, not run).
      const r = nd.rec ?? (nd.slot >= 0 && this.ranPosted.has(nd.slot) ? queue.record(nd.slot) : null);
      if (!r) continue;
      const a = r.rec[R_A]!;
      let i = nd.start;
      let j = a;
      let k = nd.start;
      while (i < a && j < nd.end) right[k++] = at[rows[i]!]! < at[rows[j]!]! ? rows[i++]! : rows[j++]!;
      while (i < a) right[k++] = rows[i++]!;
      while (j < nd.end) right[k++] = rows[j++]!;
      rows.set(right.subarray(nd.start, nd.end), nd.start);
    }
  }

  private newNode(start: number, end: number, depth: number, gs: number, hs: number, cs: number): GrowNode {
    const id = this.feature.length;
    this.nodeRows.push(end - start);
    this.feature.push(-1); this.threshold.push(0); this.missingLeft.push(0); this.catOffset.push(-1); this.left.push(-1); this.right.push(-1);
    return { id, start, end, depth, g: gs, h: hs, c: cs, hist: -1, split: null, slot: -1, rec: null };
  }

  private canSplit(nd: GrowNode): boolean {
    const { o } = this;
    return nd.depth < o.maxDepth && nd.c >= 2 * o.minSamplesLeaf && nd.h >= 2 * MIN_HESSIAN;
  }

  /** The record of nd's expansion: its split, sums and histograms; noStep when its children stay leaves. */
  private fill(rec: Float64Array, nd: GrowNode, noStep: boolean): void {
    const { o } = this;
    const s = nd.split!;
    rec[R_KIND] = KIND_EXPAND;
    rec[R_START] = nd.start; rec[R_END] = nd.end; rec[R_DEPTH] = nd.depth;
    rec[R_G] = nd.g; rec[R_G + 1] = nd.h; rec[R_G + 2] = nd.c;
    rec[R_FEAT] = s.feature; rec[R_BIN] = s.bin; rec[R_ML] = s.missingLeft ? 1 : 0;
    rec[R_CAT] = s.bits ? 1 : 0;
    if (s.bits) for (let w = 0; w < 8; w++) rec[R_BITS + w] = s.bits[w]!;
    rec[R_GL] = s.gL; rec[R_GL + 1] = s.hL; rec[R_GL + 2] = s.cL;
    rec[R_HIST] = nd.hist;
    rec[R_SMALL_HIST] = noStep ? -1 : this.env.alloc();
    rec[R_NO_STEP] = noStep ? 1 : 0;
    rec[R_MAX_DEPTH] = o.maxDepth; rec[R_MSL] = o.minSamplesLeaf; rec[R_HCONST] = this.hConst ? 1 : 0; rec[R_L2] = o.l2;
  }

  /** A step's parts: part 0 here, the others posted for the helper (run here if it has not taken them). */
  private stepShared(args: Float64Array, res: Float64Array): void {
    const { ctx } = this.env;
    const queue = this.helper!.queue;
    const slots: number[] = [];
    for (let q = 1; q < this.nParts; q++) {
      const k = queue.post(this.seq, (rec) => { rec[R_KIND] = KIND_PART; rec[R_Q] = q; rec.set(args, R_ARGS); });
      if (k < 0) runStep(ctx.stParts!, q, args, res);
      else { slots.push(k); this.posted.push(k); }
    }
    runStep(ctx.stParts!, 0, args, res);
    for (const k of slots) {
      const r = queue.record(k);
      if (queue.take(this.seq, k)) { runRecord(ctx, r); queue.finish(this.seq, k); } else this.wait(k);
      const q = r.rec[R_Q]!;
      res.set(r.res.subarray(2 * q * SPLIT_WORDS, (2 * q + 2) * SPLIT_WORDS), 2 * q * SPLIT_WORDS);
    }
  }

  private wait(k: number): void {
    const helper = this.helper!;
    let spins = 0;
    while (!helper.queue.done(this.seq, k)) if ((++spins & 0xffff) === 0) helper.team.check();
  }

  /** The best open node not yet expanded or posted (first of equal gains, as the growth loop picks), or null. */
  private nextCandidate(): GrowNode | null {
    let best: GrowNode | null = null;
    for (const nd of this.open) if (nd.slot < 0 && nd.rec === null && (best === null || nd.split!.gain > best.split!.gain)) best = nd;
    return best;
  }

  /** Keeps records waiting for the helper (queueDepth) while there are open nodes to expand ahead. */
  private feed(): void {
    const queue = this.helper!.queue;
    let waiting = 0;
    for (const k of this.posted) if (queue.waiting(this.seq, k)) waiting++;
    for (; waiting < this.queueDepth; waiting++) {
      const nd = this.nextCandidate();
      if (!nd) return;
      // Committed after the node now being committed: the children of a split that can only be the
      // tree's last (or none) stay leaves.
      const noStep = this.commits + 3 >= this.o.maxLeafNodes;
      const k = queue.post(this.seq, (rec) => this.fill(rec, nd, noStep));
      if (k < 0) return;
      nd.slot = k;
      this.posted.push(k);
    }
  }

  private helperIdle(): boolean {
    const queue = this.helper!.queue;
    for (const k of this.posted) if (!queue.done(this.seq, k)) return false;
    return true;
  }

  /** nd's expansion (run here, or by the helper), for commit number `commits`. */
  private expansion(nd: GrowNode, last: boolean): NodeRecord {
    const { ctx } = this.env;
    const { helper, local } = this;
    if (nd.rec) return nd.rec;
    if (helper && nd.slot >= 0) {
      this.feed();
      const r = helper.queue.record(nd.slot);
      if (helper.queue.take(this.seq, nd.slot)) {
        if (last) r.rec[R_NO_STEP] = 1; // its smaller child's histogram is given back at the commit
        runRecord(ctx, r);
        helper.queue.finish(this.seq, nd.slot);
        return r;
      }
      // The helper has it: expand the next open nodes ahead meanwhile.
      while (!helper.queue.done(this.seq, nd.slot)) {
        const ahead = this.nextCandidate();
        if (!ahead) { this.wait(nd.slot); break; }
        ahead.rec = nodeRecord(new Float64Array(RECORD_WORDS));
        this.fill(ahead.rec.rec, ahead, this.commits + 3 >= this.o.maxLeafNodes);
        runRecord(ctx, ahead.rec);
      }
      return r;
    }
    this.fill(local.rec, nd, last);
    if (!helper) { runRecord(ctx, local); return local; }
    this.feed();
    if (!last && this.helperIdle() && this.nParts > 1) {
      // The only node to expand: both threads take part in its step.
      local.rec[R_PARTS] = this.nParts;
      if (prepareExpand(ctx, local)) this.stepShared(local.args, local.res);
    } else runRecord(ctx, local);
    return local;
  }

  private commit(nd: GrowNode, r: NodeRecord, last: boolean): void {
    const { env } = this;
    const { B } = env;
    const { rec } = r;
    const s = nd.split!;
    const j = s.feature;
    this.feature[nd.id] = j;
    this.missingLeft[nd.id] = s.missingLeft ? 1 : 0;
    if (s.bits) { this.catOffset[nd.id] = this.bits.length; this.bits.push(...s.bits); this.threshold[nd.id] = 0; }
    else this.threshold[nd.id] = s.bin < B.nBins[j]! - 1 ? B.cuts[j]![s.bin]! : Infinity;
    // An int32 (| 0), not the record's double: the children's row ranges bound every later loop over
    // their rows (partitions, leaf values), which indexed with doubles otherwise.
    const a = rec[R_A]! | 0;
    const L = this.newNode(nd.start, a, nd.depth + 1, s.gL, s.hL, s.cL);
    const R = this.newNode(a, nd.end, nd.depth + 1, nd.g - s.gL, nd.h - s.hL, nd.c - s.cL);
    this.left[nd.id] = L.id;
    this.right[nd.id] = R.id;
    const smallLeft = rec[R_SMALL_LEFT] === 1;
    const small = smallLeft ? L : R;
    const large = smallLeft ? R : L;
    const parentHist = nd.hist;
    nd.hist = -1;
    const smallHist = rec[R_SMALL_HIST]!;
    const didSmall = rec[R_DID_SMALL] === 1;
    const didLarge = rec[R_DID_LARGE] === 1;
    if (rec[R_NO_STEP] === 1 && !last) throw new Error('histogram tree: an expansion without its children\'s splits was committed before the last split');
    // Children of the split that fills the tree stay leaves: an expansion run ahead may have searched them.
    if (!last && (didSmall || didLarge)) {
      const parts = rec[R_PARTS]!;
      small.hist = smallHist;
      if (didSmall) small.split = readSplit(r.res, parts, 0, B.categorical);
      if (didLarge) { large.hist = parentHist; large.split = readSplit(r.res, parts, 1, B.categorical); } else env.release(parentHist);
      if (!didSmall) { env.release(smallHist); small.hist = -1; }
    } else {
      env.release(parentHist);
      if (smallHist >= 0) env.release(smallHist);
    }
    this.place(L);
    this.place(R);
  }

  /** A new child: open when it has a split, else a leaf (its histogram given back). */
  private place(c: GrowNode): void {
    if (c.split) this.open.push(c);
    else { this.done.push(c); if (c.hist >= 0) { this.env.release(c.hist); c.hist = -1; } }
  }
}
