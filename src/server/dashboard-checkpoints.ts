// The checkpoint a run directory holds, as dashboard artifacts. A pretraining run records its run
// directory as an artifact only when it ends, so a run still training, killed, or stopped before
// that had checkpoints on disk that its page did not show: the page reads them from the directory.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactView } from './dashboard-types.js';

// The files of a checkpoint (src/llm/run-dir.ts): weights, optimizer state, config, tokenizer, and
// state.json, written last, whose presence marks the checkpoint complete. A fine-tuned classifier
// adds its head's weights.
const ORDER = ['model.safetensors', 'optimizer.safetensors', 'head.safetensors', 'state.json', 'config.json', 'tokenizer.json'];

function stepOf(dir: string): number | null {
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { step?: unknown };
    return typeof state.step === 'number' && Number.isSafeInteger(state.step) ? state.step : null;
  } catch {
    return null;
  }
}

/**
 * The files of the last complete checkpoint in a run directory (none if the directory is gone or
 * holds no complete checkpoint). Files are not hashed here: weights can be large and a page view
 * should not read them.
 * @example checkpointFiles('/home/me/runs/austen').map((a) => a.path); // ['/home/me/runs/austen/model.safetensors', ...]
 */
export function checkpointFiles(dir: string): ArtifactView[] {
  if (!existsSync(join(dir, 'state.json'))) return [];
  const step = stepOf(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const wanted = names.filter((n) => ORDER.includes(n) || n.endsWith('.safetensors'));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  wanted.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return wanted.flatMap((name) => {
    const path = join(dir, name);
    try {
      const s = statSync(path);
      if (!s.isFile()) return [];
      return [{ path, kind: 'checkpoint', step, size: s.size, sha256: null, createdAt: s.mtime.toISOString() }];
    } catch {
      return []; // replaced by a checkpoint being written right now
    }
  });
}
