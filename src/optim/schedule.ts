// Learning-rate schedules as pure functions of the step: constant, step decay, linear warmup + cosine.

/** A schedule maps a 0-based step to a learning rate. */
export type Schedule = (step: number) => number;

/** The same rate at every step. */
export function constantSchedule(lr: number): Schedule {
  return () => lr;
}

/** lr * gamma^floor(step / stepSize). @example stepSchedule(0.1, 30, 0.1) */
export function stepSchedule(lr: number, stepSize: number, gamma = 0.1): Schedule {
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
  return (step) => {
    if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
    if (step >= o.decaySteps) return o.minLr;
    const ratio = (step - o.warmupSteps) / Math.max(1, o.decaySteps - o.warmupSteps);
    const coeff = 0.5 * (1 + Math.cos(Math.PI * ratio));
    return o.minLr + coeff * (o.lr - o.minLr);
  };
}
