// The `train` settings of config.json, checked before a run is resumed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainOptionsFrom } from './train-options.js';

const config = (name: string): { train: Record<string, unknown> } => JSON.parse(readFileSync(join(process.cwd(), 'models', name, 'config.json'), 'utf8'));

test('a pretraining run\'s stored settings pass as they are', () => {
  const stored = config('moxing-base').train;
  const o = trainOptionsFrom(stored, 'models/moxing-base/config.json');
  for (const [k, v] of Object.entries(o)) assert.deepEqual(v, stored[k], k);
  assert.ok(o.maxSteps > 0 && typeof o.dataDir === 'string');
});

test('a fine-tuning run (no token data) and a bad value are one line naming the file and field', () => {
  assert.throws(() => trainOptionsFrom(config('moxing-chat').train, 'models/moxing-chat/config.json'), /^Error: models\/moxing-chat\/config\.json: train\.dataDir: .+ \(it is missing\)$/);
  const bad = { ...config('moxing-base').train, maxSteps: 'many' };
  assert.throws(() => trainOptionsFrom(bad, 'c.json'), /c\.json: train\.maxSteps: .+ \(got string "many"\)/);
});
