// Whether ops record the graph for backward: off inside noGrad(() => ...).

let enabled = true;

/** True when new ops are recorded for autograd. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs fn without recording the graph (inference, optimizer updates, evaluation).
 * @example const logits = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
