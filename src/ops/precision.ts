// Matmul precision for mixed-precision training: 'mixed' lets a device run its GEMMs on f16 inputs
// with fp32 accumulation (tensor cores); storage, reductions and optimizer state stay fp32. Devices
// without f16 (the cpu) compute in fp32 either way.

export type Precision = 'fp32' | 'mixed';

let current: Precision = 'fp32';

/** The precision matmul and linear ask their device for. */
export function getPrecision(): Precision {
  return current;
}

/**
 * Sets the matmul precision for what follows (a training run sets it for its steps).
 * @example setPrecision('mixed')
 */
export function setPrecision(p: Precision): void {
  if (p !== 'fp32' && p !== 'mixed') throw new Error(`precision must be fp32 or mixed, got ${String(p)}`);
  current = p;
}
