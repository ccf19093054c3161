// Tests for the terminal formatting helpers: tables, durations, sizes, values, metric summaries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatTime, formatValue, metricSummary, table } from './format.js';

test('table: padded columns, two spaces apart, no trailing spaces', () => {
  assert.equal(table(['ID', 'KIND'], [['3fa9c2d1', 'pretrain'], ['ab', 'fit']]), 'ID        KIND\n3fa9c2d1  pretrain\nab        fit\n');
});

test('durations, sizes, values and times', () => {
  assert.equal(formatDuration(999), '1s');
  assert.equal(formatDuration(725_000), '12m 5s'); // 12 * 60 + 5 = 725 s
  assert.equal(formatDuration(3_720_000), '1h 2m');
  assert.equal(formatDuration(90_000_000), '1d 1h'); // 25 h
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(497_759_232), '497.8 MB');
  assert.equal(formatValue(2.914159), '2.914');
  assert.equal(formatValue(3e-4), '3e-4');
  assert.equal(formatValue(1234567), '1.235e+6');
  assert.equal(formatValue(NaN), 'NaN');
  assert.match(formatTime('2026-11-29T08:44:15.402Z', true), /^2026-11-(29|30|28) \d\d:\d\d:15$/);
});

test('metricSummary: losses first, then by name, at most three', () => {
  assert.equal(metricSummary({ lr: 3e-4, valLoss: 3.02, trainLoss: 2.91, acc: 0.5 }), 'trainLoss=2.91 valLoss=3.02 acc=0.5');
  assert.equal(metricSummary({}), '');
});
