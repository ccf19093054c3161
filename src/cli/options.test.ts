import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { count, port, positiveInt, timerSeconds } from './options.js';
import { apiKeysFrom } from '../server/auth.js';

test('flag parsers: whole counts stay safe integers, ports stay ports, timers stay under Node\'s limit', () => {
  assert.equal(positiveInt('12'), 12);
  for (const bad of ['0', '-1', '1.5', '1e308', 'abc', '']) assert.throws(() => positiveInt(bad), InvalidArgumentError, bad);
  assert.equal(port('0'), 0);
  assert.equal(port('65535'), 65535);
  assert.throws(() => port('99999'), /expected a port from 0 to 65535, got '99999'/);
  assert.equal(timerSeconds('2147483'), 2147483);
  // 3,000,000 s would overflow setTimeout's 32-bit milliseconds: Node then fires at once.
  assert.throws(() => timerSeconds('3000000'), /at most 2147483 seconds/);
  assert.equal(count('1.5M'), 1_500_000);
  assert.throws(() => count('1e400'), /at least 1/);
  assert.throws(() => count('0'), /at least 1/);
});

test('API keys: an empty one is refused (authentication that nothing could pass)', () => {
  assert.deepEqual(apiKeysFrom(['a'], 'b, c,'), ['a', 'b', 'c']);
  assert.throws(() => apiKeysFrom([''], undefined), /an API key cannot be empty/);
});
