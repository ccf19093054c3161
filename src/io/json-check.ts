// Loaded JSON checked against a zod schema: the value typed, or one line naming the file and the field.

import type { z } from 'zod';

/**
 * Checks a value read from a JSON file; the error names the file and the first bad field.
 * @example
 * const options = checkJson(TrainOptionsSchema, config.train, 'runs/a/config.json', 'train');
 * // throws "runs/a/config.json: train.maxSteps: expected a number, got a string ('many')"
 */
export function checkJson<S extends z.ZodType>(schema: S, value: unknown, file: string, field?: string, makeError: (message: string) => Error = (m) => new Error(m)): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = [...(field === undefined ? [] : [field]), ...issue.path.map(String)].join('.');
  const got = valueAt(value, issue.path);
  const shown = got === undefined ? 'it is missing' : `got ${describe(got)}`;
  throw makeError(`${file}: ${path === '' ? 'the value' : path}: ${issue.message} (${shown})`);
}

/** The value at an issue's path (zod 4 does not report it). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}
