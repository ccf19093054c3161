// A histogram boosting helper thread (src/ml/hist-team.ts): for each grower it is given, it takes
// whole trees of every call until told to stop, then returns to its event loop.

import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { CMD_EXIT, CMD_LOCKSTEP, CMD_ROWS, C_CMD, C_READY, C_STARTED, C_ERROR, C_FINISHED, C_SEQ, SPIN, T_BLOCK, T_HCONST, T_K, T_LR, T_SOFTMAX, T_OPTS, T_TASKS, packLeaves, takeTask, type GrownMessage, type TeamSetup } from './hist-team.js';
import { BestFirst, readLockstepArgs } from './hist-best-first.js';
import { withRowLists } from './hist-layout.js';
import { STAGE_RESIDUAL, newtonSums, resetRows, stageGradients, stageScores } from './hist-stage.js';
import { helpBin, isBinJob } from './hist-bin-team.js';
import { HistGrower, type HistGrowOptions } from './hist-tree.js';
import { SOFTMAX_GBM, SOFTMAX_HGB, addLeafValues, newtonFinish, softmaxGradHess, softmaxGradients } from './hist-softmax.js';

const port = (workerData as { port: MessagePort }).port;

function serve(s: TeamSetup): void {
  const { ctrl } = s;
  let last = s.seq;
  let grower: HistGrower | undefined;
  // Ready once its part of the layout is built: the fitting thread's lockstep trees need it. A helper
  // that cannot build it says why and never reports ready: the fitting thread then grows alone.
  let pair: (() => void) | null = null;
  Atomics.add(ctrl, C_STARTED, 1);
  try {
    pair = s.pair ? pairSide(s) : null;
  } catch (err) {
    Atomics.sub(ctrl, C_STARTED, 1); // not to be waited for
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
    return;
  }
  Atomics.add(ctrl, C_READY, 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, C_SEQ) === last) {
      if (++spins < SPIN) continue;
      Atomics.wait(ctrl, C_SEQ, last, 100);
    }
    last = Atomics.load(ctrl, C_SEQ);
    const cmd = Atomics.load(ctrl, C_CMD);
    if (cmd === CMD_EXIT) return;
    try {
      if (cmd === CMD_LOCKSTEP) pair!();
      else if (cmd === CMD_ROWS) rowBlocks(s, last);
      else growTrees(s, (grower ??= new HistGrower(s.L)), last);
    } catch (err) {
      // Count everything finished so the fitting thread stops waiting, and say why.
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
      Atomics.store(ctrl, C_ERROR, 1);
      Atomics.store(ctrl, C_FINISHED, 1 << 30);
      Atomics.notify(ctrl, C_FINISHED);
    }
  }
}

/**
 * The helper's side of lockstep growth (src/ml/hist-best-first.ts), as a function that grows the tree
 * of the shared arguments on the grower's rows, with its own pool of histograms (it writes only its
 * part's slots, so its buffers need not be the fitting thread's).
 */
function pairSide(s: TeamSetup): () => void {
  const pb = s.pair!;
  // L: unused here (the helper grows only lockstep trees, on its own part).
  const st = { L: s.L, g: pb.g, h: pb.h, rows: pb.rows, hists: [] as Float64Array[] };
  let free: number[] = [];
  /** The call of the tree under way. */
  let seq = -1;
  const growth = new BestFirst(s.L.B, st, {
    startTree: () => { free = Array.from(st.hists, (_, k) => k); },
    alloc: () => {
      const k = free.pop();
      if (k !== undefined) return k;
      // Shared memory, as the fitting thread's: the step's loops then see one kind of typed array.
      st.hists.push(new Float64Array(new SharedArrayBuffer(8 * 3 * s.L.total)));
      return st.hists.length - 1;
    },
    release: (k) => { free.push(k); },
  }, {
    q: 1, buf: pb.lockstep,
    // The fitting thread posts nothing while a tree is under way: a new call means it gave the tree up.
    check: () => {
      if (Atomics.load(s.ctrl, C_ERROR) !== 0 || Atomics.load(s.ctrl, C_SEQ) !== seq) throw new Error('the fitting thread gave up a lockstep tree');
    },
  });
  // Its own part's row lists (s.L is the pair's two-part layout, cut without lists; the fitting
  // thread builds its part's meanwhile), into the arrays the fitting thread gave: its steps alone
  // read them too.
  growth.setPairLayout({ ...s.L, parts: [s.L.parts[0]!, withRowLists(s.L, 1, true, pb.lists)] });
  const R = { g: pb.g, h: pb.h, rows: pb.rows };
  const n = s.L.B.rows;
  // The helper's own copy of the stage's scores (src/ml/hist-tree.ts prepare): the last tree's leaf
  // values added here when it is current, else copied from the fitting thread's once that has added them.
  const F = new Float64Array(n);
  return () => {
    seq = Atomics.load(s.ctrl, C_SEQ);
    const { m, hConst, o, stage, nLeaves, synced } = readLockstepArgs(pb.lockstep.args);
    growth.grow(hConst, m, o, true, stage > 0 ? (_together, _q, meet, sums) => {
      if (synced) stageScores(F, pb.rows, pb.stage.leaves, nLeaves, 0, n);
      meet();
      if (!synced) F.set(pb.stage.F.subarray(0, n));
      resetRows(pb.rows, n >>> 1, n);
      stageGradients(stage, F, pb.stage, R, n >>> 1, n, sums, 2);
      meet();
    } : undefined, stage === STAGE_RESIDUAL ? (leaves) => {
      // The second half of the tree's Newton sums (src/ml/hist-tree.ts finish).
      newtonSums(pb.stage.r, pb.rows, leaves, n >>> 1, n, pb.stage.newton, 1);
    } : undefined);
  };
}

/** Takes row blocks from the counter and gives their rows a softmax stage's probabilities and gradients. */
function rowBlocks(s: TeamSetup, seq: number): void {
  const { ctrl, args } = s;
  const n = s.L.B.rows;
  const nBlocks = args[T_TASKS]!;
  const block = args[T_BLOCK]!;
  const K = args[T_K]!;
  for (let b = takeTask(ctrl, seq); b >= 0 && b < nBlocks; b = takeTask(ctrl, seq)) {
    const end = Math.min(n, (b + 1) * block);
    if (args[T_SOFTMAX] === SOFTMAX_HGB) softmaxGradHess(s.F, s.y, s.g, s.h, s.rows, n, K, b * block, end);
    else softmaxGradients(s.F, s.y, s.g, s.rows, n, K, b * block, end);
    Atomics.add(ctrl, C_FINISHED, 1);
    Atomics.notify(ctrl, C_FINISHED);
  }
}

/**
 * Takes trees from the counter, grows each on its slice of the shared buffers (in a softmax stage,
 * gives it Newton leaves and adds it to the scores), posts it, counts it.
 */
function growTrees(s: TeamSetup, grower: HistGrower, seq: number): void {
  const { ctrl, args, treeRows, order } = s;
  const n = s.L.B.rows;
  const nTrees = args[T_TASKS]!;
  const hConst = args[T_HCONST] === 1;
  const o: HistGrowOptions = {
    maxLeafNodes: args[T_OPTS]!, maxDepth: args[T_OPTS + 1]!, minSamplesLeaf: args[T_OPTS + 2]!, l2: args[T_OPTS + 3]!, learningRate: args[T_OPTS + 4]!,
  };
  const softmax = args[T_SOFTMAX]!;
  for (let i = takeTask(ctrl, seq); i >= 0 && i < nTrees; i = takeTask(ctrl, seq)) {
    const t = order[i]!;
    const at = t * n;
    const t0 = performance.now();
    const r = grower.grow(s.g.subarray(at, at + n), hConst ? null : s.h.subarray(at, at + n), s.rows.subarray(at, at + n), treeRows[t]!, o);
    if (softmax === SOFTMAX_GBM) newtonFinish(r.tree, r.leaves, s.rows.subarray(at, at + n), s.g.subarray(at, at + n), args[T_K]!, s.F, t, args[T_LR]!);
    else if (softmax === SOFTMAX_HGB) addLeafValues(r.leaves, s.rows.subarray(at, at + n), s.F, args[T_K]!, t);
    const msg: GrownMessage = { t, tree: r.tree, leaves: packLeaves(r.leaves), nodeRows: r.nodeRows, ms: performance.now() - t0 };
    port.postMessage(msg);
    Atomics.add(ctrl, C_FINISHED, 1);
    Atomics.notify(ctrl, C_FINISHED); // the fitting thread may have stopped spinning (no waiter: cheap)
  }
}

/**
 * After a grower lets it go, the helper polls its port for the next grower's setup for LINGER_MS
 * before sleeping in its event loop: a sleeping thread took 1-6 ms to wake for a message on this
 * machine, and a grower grows its first trees alone until its helper is ready (a third of a credit
 * hgb fit's trees, fits being 30 ms and back to back). The next fit's binning and layout come first,
 * a few milliseconds.
 */
const LINGER_MS = 25;

function serveAndLinger(first: TeamSetup | null): void {
  let s = first ?? linger();
  while (s) {
    serve(s);
    s = linger();
  }
}

/**
 * The next setup if one comes within LINGER_MS, else null; a wake-up message restarts the wait, and a
 * binning job (src/ml/hist-bin-team.ts) is helped with first.
 */
function linger(): TeamSetup | null {
  let until = performance.now() + LINGER_MS;
  while (performance.now() < until) {
    const m = receiveMessageOnPort(port)?.message as { type?: string } | undefined;
    if (m?.type === 'setup') return m as TeamSetup;
    if (isBinJob(m)) helpBin(m);
    if (m?.type === 'wake' || isBinJob(m)) until = performance.now() + LINGER_MS;
  }
  return null;
}

// 'wake': a fit is about to start a grower (hist-team.ts wakeHistHelpers); 'bin': its binning.
port.on('message', (m: { type?: string }) => {
  if (m.type === 'setup') serveAndLinger(m as TeamSetup);
  else if (m.type === 'wake') serveAndLinger(null);
  else if (isBinJob(m)) { helpBin(m); serveAndLinger(null); }
});
