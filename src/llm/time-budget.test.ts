// A run sized by a time budget: the plan's arithmetic, and a budgeted pretraining run whose schedule
// ends at the planned step, whose config holds the plan, and whose resume ends where the plan does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { dataset } from '../text/test-corpus.js';
import { warmupCosineSchedule } from '../optim/schedule.js';
import { prepareData } from './data.js';
import { pretrain, resume, DEFAULT_TRAIN, type StepMetrics, type TrainOptions } from './train.js';
import { loadRun, readRunConfig } from './run-dir.js';
import type { GPTConfig } from './config.js';
import { BUDGET_PROBE_SHARE, BUDGET_PROBE_STEPS, BUDGET_WARM_STEPS, planBudgetSteps, probeDone, type BudgetPlan } from './time-budget.js';

test('planBudgetSteps: the steps left in the seconds left, each with its share of the evaluations', () => {
  // 600 s, 10 used, 5 kept for the last evaluation: 585 s at 0.5 + 5 / 100 s a step is 1063 more.
  assert.equal(planBudgetSteps({ budgetSeconds: 600, elapsedSeconds: 10, step: 10, stepSeconds: 0.5, evalSeconds: 5, evalEvery: 100 }), 1073);
  // Evaluating every step costs a whole evaluation per step.
  assert.equal(planBudgetSteps({ budgetSeconds: 100, elapsedSeconds: 0, step: 0, stepSeconds: 1, evalSeconds: 1, evalEvery: 1 }), 49);
  // --max-steps bounds the plan; a spent budget ends at the current step.
  assert.equal(planBudgetSteps({ budgetSeconds: 600, elapsedSeconds: 10, step: 10, stepSeconds: 0.5, evalSeconds: 5, evalEvery: 100, maxSteps: 500 }), 500);
  assert.equal(planBudgetSteps({ budgetSeconds: 60, elapsedSeconds: 70, step: 12, stepSeconds: 0.5, evalSeconds: 5, evalEvery: 100 }), 12);
  assert.throws(() => planBudgetSteps({ budgetSeconds: 0, elapsedSeconds: 0, step: 0, stepSeconds: 1, evalSeconds: 1, evalEvery: 1 }), /time budget must be > 0/);
  assert.throws(() => planBudgetSteps({ budgetSeconds: 10, elapsedSeconds: 0, step: 0, stepSeconds: 0, evalSeconds: 1, evalEvery: 1 }), /planBudgetSteps/);
});

test('probeDone: enough timed steps, a second at least, and a share of the budget', () => {
  assert.equal(probeDone(BUDGET_PROBE_STEPS - 1, 100, 600), false);
  assert.equal(probeDone(BUDGET_PROBE_STEPS, 0.5, 2), false);
  assert.equal(probeDone(BUDGET_PROBE_STEPS, 1, 2), true);
  assert.equal(probeDone(1000, 29, 600), false);
  assert.equal(probeDone(BUDGET_PROBE_STEPS, BUDGET_PROBE_SHARE * 600, 600), true);
});

const root = mkdtempSync(join(tmpdir(), 'moxing-budget-'));
const text = dataset('jane_austen/emma.txt').slice(0, 40_000);
const tokenizer = Tokenizer.train([text], { vocabSize: 280, specialTokens: ['<|endoftext|>'] });
writeFileSync(join(root, 'emma.txt'), text);
const dataDir = join(root, 'data');
prepareData([join(root, 'emma.txt')], tokenizer, dataDir, { valFraction: 0.1 });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
const curve = (dir: string): StepMetrics[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepMetrics);

test('a time budget plans the steps once, ends the cosine there, and a resume keeps the plan', async () => {
  const dir = join(root, 'budget');
  const options: TrainOptions = {
    ...DEFAULT_TRAIN, dataDir, maxSteps: 1_000_000, batchSize: 2, evalEvery: 25, evalIters: 1, warmupSteps: 3, lr: 2e-3, minLr: 2e-4,
    timeBudgetSeconds: 4,
  };
  const plans: BudgetPlan[] = [];
  const totals: number[] = [];
  const result = await pretrain(options, config, dir, { onPlan: (p) => plans.push(p), onStep: (_m, total) => totals.push(total) });
  assert.equal(plans.length, 1);
  const plan = plans[0]!;
  assert.ok(plan.atStep >= BUDGET_WARM_STEPS + BUDGET_PROBE_STEPS, `planned at step ${plan.atStep}`);
  assert.ok(plan.steps > plan.atStep, `a 4 s budget of ${plan.stepSeconds} s steps planned ${plan.steps}`);
  assert.equal(result.step, plan.steps);
  // The progress total is unknown (0) before the plan and the planned steps after it.
  assert.deepEqual(totals.slice(0, plan.atStep), new Array<number>(plan.atStep).fill(0));
  assert.ok(totals.slice(plan.atStep).every((t) => t === plan.steps));
  // The run dir holds the plan: config.json's maxSteps and state.json's record of it.
  assert.equal(readRunConfig(dir).train!.maxSteps, plan.steps);
  const loaded = await loadRun(dir);
  assert.deepEqual(loaded.state!.extra!.timeBudget, plan);
  // Every step after the plan follows the cosine that ends at the planned step.
  const schedule = warmupCosineSchedule({ lr: options.lr, minLr: options.minLr, warmupSteps: options.warmupSteps, decaySteps: plan.steps });
  const steps = curve(dir);
  assert.equal(steps.length, plan.steps);
  for (const m of steps.slice(plan.atStep)) assert.equal(m.lr, schedule(m.step - 1), `lr at step ${m.step}`);
  assert.ok(steps.at(-1)!.valLoss !== undefined, 'the last step is evaluated');
  // A resume neither plans again nor trains past the plan.
  const again = await resume(dir, {}, { onPlan: () => assert.fail('planned again') });
  assert.equal(again.step, plan.steps);
});

test('a budget spent by the plan ends the run at the plan, with the plan saved', async () => {
  const dir = join(root, 'spent');
  const options: TrainOptions = { ...DEFAULT_TRAIN, dataDir, maxSteps: 1_000_000, batchSize: 2, evalEvery: 100, evalIters: 1, timeBudgetSeconds: 1e-3 };
  const result = await pretrain(options, config, dir);
  const plan = (await loadRun(dir)).state!.extra!.timeBudget as BudgetPlan;
  assert.equal(plan.steps, plan.atStep);
  assert.equal(result.step, plan.atStep);
  assert.equal(readRunConfig(dir).train!.maxSteps, plan.atStep);
});

test('a run stopped right after its plan resumes to that plan, not to a new one', async () => {
  const dir = join(root, 'stopped');
  const options: TrainOptions = { ...DEFAULT_TRAIN, dataDir, maxSteps: 1_000_000, batchSize: 2, evalEvery: 100, evalIters: 1, timeBudgetSeconds: 3 };
  let plan: BudgetPlan | null = null;
  const stopped = await pretrain(options, config, dir, { onPlan: (p) => { plan = p; }, shouldStop: () => plan !== null });
  assert.ok(plan !== null);
  const p = plan as BudgetPlan;
  // Asked after each step is recorded: the stop comes at the step after the plan's (or at the plan's, if it ended the run).
  assert.ok(stopped.step === p.atStep + 1 || (stopped.step === p.atStep && p.steps === p.atStep), `stopped at ${stopped.step}, planned at ${p.atStep}`);
  assert.equal(options.maxSteps, 1_000_000, "the caller's options are left as they were");
  assert.equal(readRunConfig(dir).train!.maxSteps, p.steps);
  assert.deepEqual((await loadRun(dir)).state!.extra!.timeBudget, p);
  const resumed = await resume(dir, {}, { onPlan: () => assert.fail('planned again') });
  assert.equal(resumed.step, p.steps);
});
