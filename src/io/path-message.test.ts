import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namingPath } from './path-message.js';

test('namingPath puts the path in front once', () => {
  assert.equal(namingPath('a.json', 'not valid JSON'), 'a.json: not valid JSON');
  assert.equal(namingPath('a.json', 'a.json: not valid JSON'), 'a.json: not valid JSON');
});
