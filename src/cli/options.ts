// Flag parsers for commander that reject bad values with a message naming the flag.

import { InvalidArgumentError } from 'commander';

/** Parses a positive integer flag value (a safe integer: 1e308 is not a count). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/** Parses a TCP port: 0 (any free port) to 65535. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got '${value}'`);
  return n;
}

/** Parses whole seconds a timer can hold (Node's timers overflow past 2^31 - 1 ms, about 24.8 days). */
export function timerSeconds(value: string): number {
  const n = positiveInt(value);
  if (n * 1000 > 2 ** 31 - 1) throw new InvalidArgumentError(`expected at most ${Math.floor((2 ** 31 - 1) / 1000)} seconds, got '${value}'`);
  return n;
}

/** Parses a non-negative integer. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** Parses a finite number. */
export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

/** Parses a finite number >= 0 (a temperature, say). */
export function nonNegativeNumber(value: string): number {
  const n = finiteNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number >= 0, got '${value}'`);
  return n;
}

/** Parses a positive finite number. */
export function positiveNumber(value: string): number {
  const n = finiteNumber(value);
  if (n <= 0) throw new InvalidArgumentError(`expected a number > 0, got '${value}'`);
  return n;
}

/** Parses a number in [0, 1). */
export function fraction(value: string): number {
  const n = finiteNumber(value);
  if (n < 0 || n >= 1) throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'`);
  return n;
}

/** Parses counts with suffixes: 50k, 1.5M, 2e9, 10B. */
export function count(value: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMgGbBtT]?)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a count such as 50k, 1.5M or 2e9, got '${value}'`);
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, b: 1e9, t: 1e12 };
  const n = Number(m[1]) * mult[m[2].toLowerCase()];
  if (!Number.isFinite(n) || n < 1) throw new InvalidArgumentError(`expected a count of at least 1 such as 50k, 1.5M or 2e9, got '${value}'`);
  return n;
}

/** Collects a repeatable flag into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --precision: fp32 or mixed (f16 GEMMs with loss scaling where the device has f16). */
export function precision(value: string): 'fp32' | 'mixed' {
  if (value !== 'fp32' && value !== 'mixed') throw new InvalidArgumentError(`expected fp32 or mixed, got '${value}'`);
  return value;
}
