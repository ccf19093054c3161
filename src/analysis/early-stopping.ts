// Early stopping on validation loss: stop when it has not improved for `patience` evaluations
// (Prechelt 1998, "Early Stopping - But When?"), keeping track of the best step.

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Evaluations without improvement before stopping. */
  patience: number;
  /** An improvement must lower the loss by more than this. */
  minDelta?: number;
}

/**
 * Watches validation losses; `shouldStop` turns true after `patience` evaluations without a new best.
 * Plugs into `pretrain`'s hooks: `onStep` feeds it, `shouldStop` asks it.
 * @example
 * const es = new EarlyStopping({ patience: 3 });
 * await pretrain(o, cfg, dir, { onStep: (m) => { if (m.valLoss !== undefined) es.update(m.step, m.valLoss); }, shouldStop: () => es.shouldStop });
 * es.bestStep; es.bestLoss;
 */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  bestLoss = Infinity;
  bestStep = -1;
  /** Evaluations since the last improvement. */
  bad = 0;
  /** Every (step, validation loss) seen. */
  readonly history: Array<[number, number]> = [];

  constructor(o: EarlyStoppingOptions) {
    if (!Number.isInteger(o.patience) || o.patience < 1) throw new Error(`early stopping: patience must be a positive integer, got ${o.patience}`);
    this.patience = o.patience;
    this.minDelta = o.minDelta ?? 0;
  }

  /** Records one evaluation; returns true when it is a new best. */
  update(step: number, valLoss: number): boolean {
    this.history.push([step, valLoss]);
    if (valLoss < this.bestLoss - this.minDelta) {
      this.bestLoss = valLoss;
      this.bestStep = step;
      this.bad = 0;
      return true;
    }
    this.bad++;
    return false;
  }

  /** True once `patience` evaluations in a row brought no improvement. */
  get shouldStop(): boolean {
    return this.bad >= this.patience;
  }
}
