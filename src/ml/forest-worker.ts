// A forest thread: receives a fit's shared data, grows the trees it is given, posts each one back
// and counts it in a shared word the fitting thread waits on (src/ml/forest-pool.ts).

import { workerData, type MessagePort } from 'node:worker_threads';
import { growForestTree, type ForestJob } from './forest-job.js';

interface Task { job: ForestJob; trees: number[]; seeds: number[]; done: Int32Array }

const port = (workerData as { port: MessagePort }).port;
port.on('message', (task: Task) => {
  for (const e of task.trees) {
    try {
      const { tree, importances } = growForestTree(task.job, task.seeds[e]!);
      port.postMessage({ e, tree, importances });
    } catch (err) {
      // The fitting thread is blocked and cannot see worker events: the error travels as a message.
      port.postMessage({ e, error: err instanceof Error ? err.message : String(err) });
    }
    Atomics.add(task.done, 0, 1);
    Atomics.notify(task.done, 0);
  }
});
