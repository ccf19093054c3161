// A histogram boosting helper thread (src/ml/hist-team.ts): for each grower it is given, it takes
// whole trees of every call until told to stop, then returns to its event loop.

import { workerData, type MessagePort } from 'node:worker_threads';
import { CMD_EXIT, C_CMD, C_ERROR, C_FINISHED, C_NEXT, C_SEQ, SPIN, T_HCONST, T_OPTS, T_TASKS, packLeaves, type GrownMessage, type TeamSetup } from './hist-team.js';
import { HistGrower, type HistGrowOptions } from './hist-tree.js';

const port = (workerData as { port: MessagePort }).port;

function serve(s: TeamSetup): void {
  const { ctrl } = s;
  let last = s.seq;
  let grower: HistGrower | undefined;
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, C_SEQ) === last) {
      if (++spins < SPIN) continue;
      Atomics.wait(ctrl, C_SEQ, last, 100);
    }
    last = Atomics.load(ctrl, C_SEQ);
    if (Atomics.load(ctrl, C_CMD) === CMD_EXIT) return;
    try {
      growTrees(s, (grower ??= new HistGrower(s.L)));
    } catch (err) {
      // Count everything finished so the fitting thread stops waiting, and say why.
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
      Atomics.store(ctrl, C_ERROR, 1);
      Atomics.store(ctrl, C_FINISHED, 1 << 30);
      Atomics.notify(ctrl, C_FINISHED);
    }
  }
}

/** Takes trees from the counter, grows each on its slice of the shared buffers, posts it, counts it. */
function growTrees(s: TeamSetup, grower: HistGrower): void {
  const { ctrl, args, treeRows, order } = s;
  const n = s.L.B.rows;
  const nTrees = args[T_TASKS]!;
  const hConst = args[T_HCONST] === 1;
  const o: HistGrowOptions = {
    maxLeafNodes: args[T_OPTS]!, maxDepth: args[T_OPTS + 1]!, minSamplesLeaf: args[T_OPTS + 2]!, l2: args[T_OPTS + 3]!, learningRate: args[T_OPTS + 4]!,
  };
  for (let i = Atomics.add(ctrl, C_NEXT, 1); i < nTrees; i = Atomics.add(ctrl, C_NEXT, 1)) {
    const t = order[i]!;
    const at = t * n;
    const t0 = performance.now();
    const r = grower.grow(s.g.subarray(at, at + n), hConst ? null : s.h.subarray(at, at + n), s.rows.subarray(at, at + n), treeRows[t]!, o);
    const msg: GrownMessage = { t, tree: r.tree, leaves: packLeaves(r.leaves), nodeRows: r.nodeRows, ms: performance.now() - t0 };
    port.postMessage(msg);
    Atomics.add(ctrl, C_FINISHED, 1);
    Atomics.notify(ctrl, C_FINISHED); // the fitting thread may have stopped spinning (no waiter: cheap)
  }
}

port.on('message', (m: { type?: string }) => {
  if (m.type === 'setup') serve(m as TeamSetup);
});
