// The optim layer's public surface.

export { Optimizer, type ParamGroup, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { constantSchedule, stepSchedule, warmupCosineSchedule, type Schedule, type WarmupCosineOptions } from './schedule.js';
export { clipGradNorm } from './clip.js';
