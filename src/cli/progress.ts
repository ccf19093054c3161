// Training progress: a live bar with loss, tokens/s and ETA on a terminal, plain lines otherwise.

import cliProgress from 'cli-progress';

export interface ProgressUpdate {
  step: number;
  trainLoss: number;
  valLoss?: number;
  /** 0 when the trainer does not count tokens (fine-tuning): then not shown. */
  tokensPerSecond: number;
}

/** Shows progress on stderr (stdout stays clean for --json and generated text). */
export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar | null;
  private lastPlain = 0;
  private val = '-';

  constructor(private readonly total: number, start: number, private readonly quiet = false) {
    const tty = process.stderr.isTTY && !quiet;
    this.bar = tty
      ? new cliProgress.SingleBar({
          stream: process.stderr,
          format: 'step {value}/{total} [{bar}] loss {loss} val {val} | {tps} tok/s | ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 20,
        }, cliProgress.Presets.shades_classic)
      : null;
    this.bar?.start(total, start, { loss: '-', val: '-', tps: '-' });
  }

  update(u: ProgressUpdate): void {
    if (u.valLoss !== undefined) this.val = u.valLoss.toFixed(4);
    if (this.bar) {
      this.bar.update(u.step, { loss: u.trainLoss.toFixed(4), val: this.val, tps: u.tokensPerSecond > 0 ? Math.round(u.tokensPerSecond) : '-' });
      return;
    }
    if (this.quiet) return;
    // Plain lines when not a terminal: every evaluation, the last step, and at most every 2 s.
    const now = Date.now();
    if (u.valLoss !== undefined || u.step === this.total || now - this.lastPlain > 2000) {
      this.lastPlain = now;
      process.stderr.write(`step ${u.step}/${this.total} loss ${u.trainLoss.toFixed(4)}${u.valLoss !== undefined ? ` val ${u.valLoss.toFixed(4)}` : ''}${u.tokensPerSecond > 0 ? ` ${Math.round(u.tokensPerSecond)} tok/s` : ''}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
