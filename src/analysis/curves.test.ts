// Curves: sweep parsing, the overfitting verdicts on hand-made curves, and a decision tree on noisy
// labels whose validation accuracy turns down while its training accuracy climbs to 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { table } from '../data/table.js';
import { Rng } from '../tensor/random.js';
import { learningCurve, parseSweep, validationCurve } from './curves.js';
import { learningVerdict, overfittingReport } from './overfitting.js';
import { EarlyStopping } from './early-stopping.js';

test('parseSweep: ranges, steps, lists, log ranges, snake_case', () => {
  assert.deepEqual(parseSweep('maxDepth=1..5'), { param: 'maxDepth', values: [1, 2, 3, 4, 5] });
  assert.deepEqual(parseSweep('max_depth=2..10:4').values, [2, 6, 10]);
  assert.deepEqual(parseSweep('C=0.01,0.1,1').values, [0.01, 0.1, 1]);
  assert.deepEqual(parseSweep('alpha=1e-3..1e1:log5').values, [0.001, 0.01, 0.1, 1, 10]);
  assert.throws(() => parseSweep('maxDepth=3'), /at least 2 values/);
  assert.throws(() => parseSweep('maxDepth'), /name=values/);
});

test('overfittingReport: the turn, the flat case, the still-improving case', () => {
  // Validation peaks at 3 (0.80) and ends at 0.74 while train climbs 0.9 -> 1.0: overfits past 3.
  const o = overfittingReport([1, 2, 3, 4, 5], [0.7, 0.8, 0.9, 0.97, 1.0], [0.68, 0.78, 0.8, 0.77, 0.74], { param: 'maxDepth', higherIsBetter: true });
  assert.equal(o.state, 'overfits');
  assert.equal(o.turnIndex, 2);
  assert.equal(o.bestIndex, 2);
  assert.match(o.verdict, /^overfits past maxDepth=3/);
  assert.match(o.verdict, /underfits/); // maxDepth=1 is worse on both
  assert.deepEqual(o.gap.map((g) => Number(g.toFixed(2))), [0.02, 0.02, 0.1, 0.2, 0.26]);
  assert.equal(overfittingReport([1, 2, 3], [0.9, 0.9, 0.9], [0.8, 0.8, 0.8], { param: 'k', higherIsBetter: true }).state, 'flat');
  assert.equal(overfittingReport([1, 2, 3], [0.7, 0.8, 0.9], [0.65, 0.75, 0.85], { param: 'k', higherIsBetter: true }).state, 'still-improving');
  // Risen, then level: the last value is within the folds' noise of an earlier peak, so not "still improving".
  const lv0 = overfittingReport([1, 2, 3, 4], [0.6, 0.81, 0.82, 0.83], [0.6, 0.8, 0.801, 0.8], { param: 'k', higherIsBetter: true, validationStd: [0.01, 0.01, 0.01, 0.01] });
  assert.equal(lv0.state, 'good-fit');
  assert.equal(lv0.bestIndex, 2);
  assert.equal(lv0.simplestIndex, 1);
  assert.match(lv0.verdict, /^levels off from k=3: .* larger k is unlikely to help\. Choose k=3, or k=2: simpler/);
  // Losses: lower is better; validation loss turns up after the second value.
  const l = overfittingReport([100, 200, 300, 400], [3, 2.5, 2.0, 1.6], [3.1, 2.7, 2.8, 3.0], { param: 'steps', higherIsBetter: false });
  assert.equal(l.state, 'overfits');
  assert.equal(l.turnIndex, 1);
  const lv = learningVerdict([100, 200, 400], [1, 0.98, 0.97], [0.7, 0.78, 0.86], { param: 'rows', higherIsBetter: true });
  assert.equal(lv.state, 'more-data-helps');
});

test('early stopping stops after patience evaluations without improvement', () => {
  const es = new EarlyStopping({ patience: 2 });
  for (const [s, v] of [[1, 3], [2, 2.5], [3, 2.6], [4, 2.55]] as const) es.update(s, v);
  assert.equal(es.shouldStop, true);
  assert.equal(es.bestStep, 2);
  assert.equal(es.bestLoss, 2.5);
});

function noisyTable(n: number, seed: number) {
  // y = [x1 + x2 > 0], 25% of labels flipped: deep trees memorize the flips.
  const rng = new Rng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    x1[i] = rng.normal();
    x2[i] = rng.normal();
    const clean = x1[i]! + x2[i]! > 0;
    y.push((rng.next() < 0.25 ? !clean : clean) ? 'yes' : 'no');
  }
  return table([
    { name: 'x1', kind: 'numeric', values: x1 },
    { name: 'x2', kind: 'numeric', values: x2 },
    { name: 'y', kind: 'categorical', values: y },
  ]);
}

test('a decision tree on noisy labels: train rises to ~1, validation turns down, the verdict names the turn', () => {
  const t = noisyTable(400, 1);
  const r = validationCurve(t, 'maxDepth', [1, 2, 3, 4, 6, 8, 12, 16], { target: 'y', model: 'tree', folds: 4 });
  assert.equal(r.param, 'maxDepth');
  assert.equal(r.train.length, 8);
  assert.ok(r.train[7]! > 0.95, `deep train accuracy ${r.train[7]}`);
  assert.ok(r.validation[7]! < Math.max(...r.validation) - 0.03, `validation ${r.validation}`);
  assert.ok(r.parameters[7]! > r.parameters[0]!, 'deeper trees have more nodes');
  assert.equal(r.state, 'overfits');
  assert.match(r.verdict, /overfits past maxDepth=/);
  assert.ok(typeof r.best === 'number' && r.best <= 6, `best ${r.best}`);
  const l = learningCurve(t, [0.2, 0.5, 1], { target: 'y', model: 'logistic', folds: 3 });
  assert.equal(l.values.length, 3);
  assert.ok(l.values[0]! < l.values[2]!);
  assert.ok(l.validation[2]! > 0.6);
});
