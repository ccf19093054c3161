// Model soups (Wortsman et al. 2022): several fine-tunings of one pretrained model, started from the
// same weights and differing only in the order they see the data (and their dropout draws), land in
// one basin of the loss, so the average of their weights is itself a good model, and usually a
// better one than its members: most of an ensemble's gain at the cost of running a single model.
// Only parameters are averaged; buffers are not trained and stay as they are.

import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import * as F from '../ops/index.js';
import type { Parameter } from '../nn/module.js';

/** Named parameters, e.g. `[...model.namedParameters('body.'), ...head.namedParameters('head.')]`. */
export type NamedParameters = ReadonlyArray<readonly [string, Parameter]>;

/** Copies of the parameters' values (on their own devices), to start every member from. */
export function snapshotParameters(params: NamedParameters): Map<string, Tensor> {
  return noGrad(() => new Map(params.map(([name, p]) => [name, F.copy(p.detach())])));
}

/** Puts the values of a snapshot back into the parameters. */
export function restoreParameters(params: NamedParameters, snapshot: ReadonlyMap<string, Tensor>): void {
  for (const [name, p] of params) {
    const saved = snapshot.get(name);
    if (!saved) throw new Error(`restoreParameters: the snapshot has no '${name}'`);
    F.assign(p, saved);
  }
}

/** Sums the members' parameters as each finishes; `average` writes their mean into the parameters. */
export class ParameterSoup {
  private readonly sums = new Map<string, Tensor>();
  private members = 0;

  constructor(private readonly params: NamedParameters) {}

  /** Adds the parameters' current values (one finished member). */
  add(): void {
    noGrad(() => {
      for (const [name, p] of this.params) {
        const sum = this.sums.get(name);
        this.sums.set(name, sum ? F.add(sum, p.detach()) : F.copy(p.detach()));
      }
    });
    this.members++;
  }

  /** Members added so far. */
  get size(): number {
    return this.members;
  }

  /** Sets every parameter to the members' mean. A soup of one is that member, unchanged. */
  average(): void {
    if (this.members === 0) throw new Error('ParameterSoup.average: no member was added');
    if (this.members === 1) return restoreParameters(this.params, this.sums);
    noGrad(() => {
      for (const [name, p] of this.params) F.assign(p, F.div(this.sums.get(name)!, this.members));
    });
  }
}
