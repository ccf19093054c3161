// A histogram boosting helper thread (src/ml/hist-team.ts): for each grower it is given, it takes parts
// of every node step until told to stop, then returns to its event loop.

import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { A_PARENT, A_SMALL, type StepState } from './hist-split.js';
import { CMD_EXIT, C_CMD, C_ERROR, C_FINISHED, C_NEXT, C_SEQ, SPIN, runParts, type TeamSetup } from './hist-team.js';

const port = (workerData as { port: MessagePort }).port;

function serve(s: TeamSetup): void {
  const st: StepState = { L: s.L, g: s.g, h: s.h, rows: s.rows, hists: [] };
  const { ctrl, args, res } = s;
  const nParts = s.L.parts.length;
  let last = s.seq;
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, C_SEQ) === last) {
      if (++spins < SPIN) continue;
      Atomics.wait(ctrl, C_SEQ, last, 100);
    }
    last = Atomics.load(ctrl, C_SEQ);
    if (Atomics.load(ctrl, C_CMD) === CMD_EXIT) return;
    // Nothing left to take: the fitting thread did it all (or this thread woke late).
    if (Atomics.load(ctrl, C_NEXT) >= nParts) continue;
    try {
      runParts(st, ctrl, args, res, () => {
        // Histograms created since the last step arrive as messages posted before it.
        const need = Math.max(args[A_SMALL]!, args[A_PARENT]!);
        while (st.hists.length <= need) {
          const m = receiveMessageOnPort(port);
          if (!m) throw new Error(`histogram ${need} never arrived`);
          if ((m.message as { type: string }).type === 'hist') st.hists.push((m.message as { hist: Float64Array }).hist);
        }
      });
    } catch (err) {
      // Finish every part so the fitting thread stops waiting, and say why.
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
      Atomics.store(ctrl, C_ERROR, 1);
      Atomics.store(ctrl, C_FINISHED, nParts);
    }
  }
}

port.on('message', (m: { type?: string }) => {
  if (m.type === 'setup') serve(m as TeamSetup);
});
