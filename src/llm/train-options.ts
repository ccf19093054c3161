// The `train` part of a pretraining run's config.json, checked when a run is resumed.

import { z } from 'zod';
import { checkJson } from '../io/json-check.js';
import type { TrainOptions } from './train.js';

const count = z.number().int().positive();
const rate = z.number().nonnegative();

/** {@link TrainOptions} as config.json stores them (extra keys are ignored). */
export const TrainOptionsSchema = z.object({
  dataDir: z.string().min(1, 'expected the token directory'),
  maxSteps: count,
  batchSize: count,
  gradAccum: count,
  lr: rate,
  minLr: rate,
  warmupSteps: z.number().int().nonnegative(),
  decaySteps: count.optional(),
  weightDecay: rate,
  gradClip: rate,
  seed: z.number().int().nonnegative(),
  evalEvery: count,
  evalIters: count,
  checkpointEvery: count.optional(),
  precision: z.enum(['fp32', 'mixed']).optional(),
  timeBudgetSeconds: z.number().positive().optional(),
}) satisfies z.ZodType<TrainOptions>;

/**
 * The training options stored in a run's config.json, checked field by field.
 * @example const options = trainOptionsFrom(config.train, 'runs/a/config.json'); // throws "runs/a/config.json: train.lr: ..."
 */
export function trainOptionsFrom(json: unknown, file: string, makeError?: (message: string) => Error): TrainOptions {
  return checkJson(TrainOptionsSchema, json, file, 'train', makeError);
}
