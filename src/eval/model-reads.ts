// The one place evaluation reads numbers out of the model: summed negative log-likelihoods through
// GPT.forward's loss path. The tensor engine's read API is changing (`.data` -> `dataSync()`);
// only this file needs to follow it.

import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { GPT } from '../llm/gpt.js';

/** Token ids with their targets (-1: not scored), all rows of one length. */
export interface ScoredRows {
  ids: readonly (readonly number[])[];
  targets: readonly (readonly number[])[];
}

/**
 * The sum of -log p(target | prefix) in nats over every scored target of the rows, and how many
 * were scored. Rows shorter than the longest are padded (padding is not scored).
 * @example sumNll(model, { ids: [[5, 6, 7]], targets: [[-1, 7, 8]] }) // { nll: ~, count: 2 }
 */
export async function sumNll(model: GPT, rows: ScoredRows): Promise<{ nll: number; count: number }> {
  const B = rows.ids.length;
  if (B === 0) return { nll: 0, count: 0 };
  const T = Math.max(...rows.ids.map((r) => r.length));
  const ids = new Int32Array(B * T);
  const tg = new Int32Array(B * T).fill(-1);
  let count = 0;
  rows.ids.forEach((r, b) => {
    if (rows.targets[b].length !== r.length) throw new Error(`sumNll: row ${b} has ${r.length} ids and ${rows.targets[b].length} targets`);
    ids.set(r, b * T);
    tg.set(rows.targets[b], b * T);
    for (const t of rows.targets[b]) if (t >= 0) count++;
  });
  if (count === 0) return { nll: 0, count: 0 };
  const wasTraining = model.training;
  model.eval();
  try {
    // The loss is the mean over scored targets: times the count gives the sum.
    const loss = noGrad(() => model.forward(new Tensor(ids, [B, T]), new Tensor(tg, [B, T]), { ignoreIndex: -1 }).loss!);
    // item() is synchronous on the old engine and a promise on the new one: await serves both.
    const mean = Number(await loss.item());
    return { nll: mean * count, count };
  } finally {
    model.train(wasTraining);
  }
}
