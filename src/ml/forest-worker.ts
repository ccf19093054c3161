// A forest thread: receives a fit's shared data, takes trees from a shared counter until none are
// left, posts each one back and counts it in a shared word the fitting thread waits on (src/ml/forest-pool.ts).

import { workerData, type MessagePort } from 'node:worker_threads';
import { growForestTree, type ForestJob } from './forest-job.js';

interface Task { job: ForestJob; seeds: number[]; ctrl: Int32Array }

const port = (workerData as { port: MessagePort }).port;
port.on('message', (task: Task) => {
  const { ctrl, seeds } = task;
  for (let e = Atomics.add(ctrl, 0, 1); e < seeds.length; e = Atomics.add(ctrl, 0, 1)) {
    try {
      const { tree, importances } = growForestTree(task.job, seeds[e]!);
      port.postMessage({ e, tree, importances });
    } catch (err) {
      // The fitting thread is blocked and cannot see worker events: the error travels as a message.
      port.postMessage({ e, error: err instanceof Error ? err.message : String(err) });
    }
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
});
