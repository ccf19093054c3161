// Device faults (a lost GPU, out of device memory, a driver error) as one error class, so the layers
// above (the training loop, the server) can tell them from bad input and react: keep the last
// checkpoint and name the step, or move the served models to the cpu. No backend code here.

/** What went wrong on the device. */
export type DeviceFaultKind = 'lost' | 'out-of-memory' | 'error';

/**
 * A fault of a device: `lost` is permanent (every later call on the device fails the same way);
 * `out-of-memory` and `error` end the operation that hit them, and the device may still work.
 * @example if (isDeviceFault(err, 'lost')) await fallBackToCpu(err.message);
 */
export class DeviceFaultError extends Error {
  constructor(readonly device: string, readonly kind: DeviceFaultKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceFaultError';
  }
}

/** Whether `err` (or an error in its `cause` chain) is a device fault, of `kind` if given. */
export function isDeviceFault(err: unknown, kind?: DeviceFaultKind): err is DeviceFaultError {
  return deviceFaultOf(err, kind) !== null;
}

/** The device fault in `err`'s `cause` chain (of `kind` if given), or null. */
export function deviceFaultOf(err: unknown, kind?: DeviceFaultKind): DeviceFaultError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DeviceFaultError && (kind === undefined || e.kind === kind)) return e;
  }
  return null;
}

/**
 * The same fault with `context` added to its message (the training step, the request), keeping its
 * class and kind so callers further up still recognise it.
 * @example throw withFaultContext(err, 'at training step 12');
 */
export function withFaultContext(err: DeviceFaultError, context: string): DeviceFaultError {
  return new DeviceFaultError(err.device, err.kind, `${err.message} ${context}`, { cause: err });
}

// Files under ops/ that allocate for the ops that call them: the op is further out.
const OP_HELPERS = new Set(['ops/util', 'ops/layout', 'ops/index']);

/**
 * Where in the engine an allocation was asked for, from a captured stack: the innermost op (the
 * function and file under ops/) and the nn module or llm code above it, e.g.
 * "matmul (ops/matmul.ts), from nn/linear.ts". Null when the stack names neither (a bundle).
 */
export function allocationSite(stack: string | undefined): string | null {
  if (!stack) return null;
  let op: string | null = null;
  let caller: string | null = null;
  for (const line of stack.split('\n')) {
    const m = /at (?:([\w$.<>]+) )?\(?(?:.*[/\\])?src[/\\]((?:ops|nn|optim|llm)[/\\][\w.-]+?)\.[jt]s:\d+/.exec(line);
    if (!m) continue;
    const file = m[2]!.replace(/\\/g, '/');
    if (!op && file.startsWith('ops/')) {
      if (OP_HELPERS.has(file)) continue;
      const fn = m[1]?.split('.').pop();
      op = fn && fn !== '<anonymous>' ? `${fn} (${file}.ts)` : `${file}.ts`;
    } else if (op && !file.startsWith('ops/')) {
      caller = `${file}.ts`;
      break;
    }
  }
  if (!op) return null;
  return caller ? `${op}, from ${caller}` : op;
}
