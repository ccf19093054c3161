// A pretraining run sized by wall-clock time (`moxing pretrain --time-budget <minutes>`): the first
// steps are timed, then the cosine schedule is set once to the number of steps that fit, and the run
// is an ordinary step-counted one from there (its config.json holds the planned steps, so a resume
// ends where the plan does). A schedule that followed the clock instead (the rate a function of the
// time used, as in budgeted-training papers) would change with every hiccup of a shared machine, and
// a resumed run would no longer retrace the one it continues.

/** The steps before the plan: the first ones are left out of the timing (kernels compile, caches fill). */
export const BUDGET_WARM_STEPS = 2;
/**
 * The plan times at least BUDGET_PROBE_STEPS steps, for at least BUDGET_PROBE_SECONDS and a
 * BUDGET_PROBE_SHARE of the budget: steps keep getting faster for a while after the first (the
 * JavaScript compiler optimises the hot loops; 0.011 s a step timed over the first 0.6 s of a small
 * CPU run was 0.007 s later). The steps before the plan are on a cosine over maxSteps, within 0.7% of
 * the planned one's rate over the first 5% of a run.
 */
export const BUDGET_PROBE_STEPS = 5;
export const BUDGET_PROBE_SECONDS = 1;
export const BUDGET_PROBE_SHARE = 0.05;

/** What the plan was made from, kept in the run's state (state.json `extra.timeBudget`). */
export interface BudgetPlan {
  budgetSeconds: number;
  /** The step the plan was made at, and the seconds the run had used by then. */
  atStep: number;
  elapsedSeconds: number;
  /** Mean seconds of a timed training step, and of one evaluation with its checkpoint. */
  stepSeconds: number;
  evalSeconds: number;
  /** The planned last step (the cosine ends there). */
  steps: number;
}

export interface BudgetInputs {
  budgetSeconds: number;
  elapsedSeconds: number;
  /** Steps done so far. */
  step: number;
  stepSeconds: number;
  evalSeconds: number;
  evalEvery: number;
  /** --max-steps, when given with the budget: the plan never goes past it. */
  maxSteps?: number;
}

/**
 * The last step that fits the budget: the steps left, each with its share of the evaluations and
 * checkpoints every `evalEvery` steps, and the final evaluation and checkpoint, in the seconds left.
 * Never below `step` (a budget already spent ends the run at the next checkpoint).
 * @example planBudgetSteps({ budgetSeconds: 600, elapsedSeconds: 10, step: 10, stepSeconds: 0.5, evalSeconds: 5, evalEvery: 100 }) // 1073
 */
export function planBudgetSteps(b: BudgetInputs): number {
  if (!(b.budgetSeconds > 0)) throw new Error(`time budget must be > 0 seconds (got ${b.budgetSeconds})`);
  if (!(b.stepSeconds > 0) || !(b.evalSeconds >= 0) || !(b.evalEvery >= 1)) {
    throw new Error(`planBudgetSteps: step ${b.stepSeconds} s, evaluation ${b.evalSeconds} s every ${b.evalEvery} steps`);
  }
  const left = b.budgetSeconds - b.elapsedSeconds - b.evalSeconds;
  const perStep = b.stepSeconds + b.evalSeconds / b.evalEvery;
  const more = left > 0 ? Math.floor(left / perStep) : 0;
  const steps = b.step + more;
  return Math.max(b.step, b.maxSteps !== undefined ? Math.min(b.maxSteps, steps) : steps);
}

/**
 * Whether the steps timed since the warm steps are enough to plan a budget of budgetSeconds.
 * @example probeDone(5, 30, 600) // true: 5 steps and 5% of a 10-minute budget
 */
export function probeDone(timedSteps: number, timedSeconds: number, budgetSeconds: number): boolean {
  return timedSteps >= BUDGET_PROBE_STEPS && timedSeconds >= Math.max(BUDGET_PROBE_SECONDS, BUDGET_PROBE_SHARE * budgetSeconds);
}
