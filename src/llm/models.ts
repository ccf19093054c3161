// Shipped model names (moxing-base, moxing-chat, moxing-sentiment) and how a --model value resolves.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The models that ship in the package's models/ directory. */
export const SHIPPED_MODELS = ['moxing-base', 'moxing-chat', 'moxing-sentiment'] as const;

/** The package's models/ directory (next to src/ or dist/). */
export function shippedModelsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', 'models');
}

/**
 * A directory for a --model value: an existing path, or a shipped model's name.
 * @example resolveModelPath('moxing-base') // <package>/models/moxing-base
 */
export function resolveModelPath(nameOrDir: string): string {
  if (existsSync(nameOrDir)) return resolve(nameOrDir);
  const shipped = join(shippedModelsDir(), nameOrDir);
  if (/^[\w.-]+$/.test(nameOrDir) && existsSync(shipped)) return shipped;
  const names = SHIPPED_MODELS.filter((n) => existsSync(join(shippedModelsDir(), n)));
  throw new Error(`model '${nameOrDir}' not found: not a directory${names.length ? `, and not a shipped model (${names.join(', ')})` : ' (no shipped models are installed)'}`);
}
