// Learning-rate schedules as pure functions of the step: constant, step decay, linear warmup + cosine.

/** A schedule maps a 0-based step to a learning rate. */
export type Schedule = (step: number) => number;

/** The same rate at every step. */
export function constantSchedule(lr: number): Schedule {
  return () => lr;
}

/** lr * gamma^floor(step / stepSize). @example stepSchedule(0.1, 30, 0.1) */
export function stepSchedule(lr: number, stepSize: number, gamma = 0.1): Schedule {
  if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`stepSchedule: lr must be a finite number >= 0, got ${lr}`);
  if (!(Number.isInteger(stepSize) && stepSize >= 1)) throw new RangeError(`stepSchedule: stepSize must be a whole number >= 1, got ${stepSize}`);
  if (!(Number.isFinite(gamma) && gamma >= 0)) throw new RangeError(`stepSchedule: gamma must be a finite number >= 0, got ${gamma}`);
  return (step) => lr * Math.pow(gamma, Math.floor(step / stepSize));
}

export interface WarmupCosineOptions {
  lr: number;
  minLr: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr; later steps stay at minLr. */
  decaySteps: number;
}

/**
 * Linear warmup from lr/warmupSteps to lr, then cosine decay to minLr (nanoGPT's schedule).
 * @example warmupCosineSchedule({ lr: 6e-4, minLr: 6e-5, warmupSteps: 100, decaySteps: 5000 })
 */
export function warmupCosineSchedule(o: WarmupCosineOptions): Schedule {
  for (const k of ['lr', 'minLr', 'warmupSteps', 'decaySteps'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`warmupCosineSchedule: ${k} must be a finite number >= 0, got ${o[k]}`);
  }
  return (step) => {
    if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
    if (step >= o.decaySteps) return o.minLr;
    const ratio = (step - o.warmupSteps) / Math.max(1, o.decaySteps - o.warmupSteps);
    const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
    return o.minLr + coeff * (o.lr - o.minLr);
  };
}
