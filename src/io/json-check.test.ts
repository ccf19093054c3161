// checkJson: the typed value, or one line naming the file, the field path and what was there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { checkJson } from './json-check.js';

const Schema = z.object({ name: z.string(), sizes: z.array(z.number().int().positive()) });

test('a valid value comes back typed (extra keys dropped)', () => {
  const v = checkJson(Schema, { name: 'a', sizes: [1, 2], extra: true }, 'x.json');
  assert.deepEqual(v, { name: 'a', sizes: [1, 2] });
});

test('the error names the file, the field path under an optional root, and the value found', () => {
  assert.throws(() => checkJson(Schema, { name: 'a', sizes: [1, -2] }, 'runs/a/config.json', 'train'), (err: Error) => {
    assert.match(err.message, /^runs\/a\/config\.json: train\.sizes\.1: .+ \(got number -2\)$/);
    return true;
  });
  assert.throws(() => checkJson(Schema, { sizes: [] }, 'x.json'), /x\.json: name: .+ \(it is missing\)$/);
  assert.throws(() => checkJson(Schema, 'text', 'x.json'), /x\.json: the value: .+ \(got string "text"\)/);
  class MyError extends Error {}
  assert.throws(() => checkJson(Schema, null, 'x.json', undefined, (m) => new MyError(m)), MyError);
});
