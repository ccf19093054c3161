// Tests for the loss-curve renderer (ticks, labels, SVG structure, PNG bytes) and for picking series.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTick, niceTicks, renderSvg, svgToPng } from './plot.js';
import { defaultMetricNames, readMetricsJsonl, seriesFromPoints, seriesFromRows } from './series.js';

test('niceTicks: steps of 1, 2 or 5 x 10^k covering the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), { ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
  assert.deepEqual(niceTicks(1.7, 3.3, 4).ticks, [2, 2.5, 3]); // span 1.6 / 4 = 0.4 -> 0.5
  assert.deepEqual(niceTicks(1, 2000, 4).ticks, [500, 1000, 1500, 2000]); // 1999 / 4 = 500 -> 500
  assert.equal(niceTicks(1, 2000, 7).step, 200); // 1999 / 7 = 286 -> 200
  assert.deepEqual(niceTicks(-0.3, 0.3, 6).ticks, [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
});

test('formatTick: as many decimals as the step needs; k and M; exponents for tiny steps', () => {
  assert.equal(formatTick(0.15, 0.05), '0.15');
  assert.equal(formatTick(2, 0.5), '2.0');
  assert.equal(formatTick(1500, 500), '1500'); // k only from steps of 1000 or values of 10k
  assert.equal(formatTick(12500, 500), '12.5k');
  assert.equal(formatTick(25000, 5000), '25k');
  assert.equal(formatTick(2_000_000, 1_000_000), '2M');
  assert.equal(formatTick(0, 0.1), '0');
  assert.equal(formatTick(3e-5, 1e-5), '3e-5');
});

const series = [
  { name: 'trainLoss', points: Array.from({ length: 200 }, (_, i): [number, number] => [i + 1, 4 / Math.sqrt(i + 1)]) },
  { name: 'val <loss>', points: [[50, 0.7], [100, 0.5], [150, NaN], [200, 0.35]] as [number, number][] },
];

test('renderSvg: title, axis labels, escaped legend, one path per series broken at NaN, dots on sparse series', () => {
  const svg = renderSvg(series, { title: 'run & co', xLabel: 'step', yLabel: 'loss' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="480"/);
  assert.match(svg, />run &amp; co<\/text>/);
  assert.match(svg, />step<\/text>/);
  assert.match(svg, /rotate\(-90\)[^>]*>loss<\/text>/);
  assert.match(svg, />val &lt;loss&gt;<\/text>/);
  const curves = [...svg.matchAll(/<path d="(M[^"]*)" stroke="(#[0-9a-f]{6})"\/>/g)];
  assert.equal(curves.length, 2);
  assert.equal(curves[0]![1]!.split('M').length - 1, 1); // one unbroken train curve
  assert.equal(curves[1]![1]!.split('M').length - 1, 2); // the NaN at step 150 breaks the val curve
  assert.equal((svg.match(/<circle /g) ?? []).length, 3); // 3 finite val points; 200 train points get none
  for (const label of ['20', '100', '200']) assert.match(svg, new RegExp(`>${label}</text>`)); // x ticks
  assert.equal(renderSvg([], {}).includes('<svg'), true); // nothing to draw is still a valid chart
});

test('renderSvg: a log y axis when asked and possible; 100k points are decimated', () => {
  const log = renderSvg(series, { logY: true });
  assert.match(log, />1<\/text>/);
  assert.match(log, />0\.5<\/text>/);
  assert.doesNotMatch(renderSvg([{ name: 'x', points: [[1, -1], [2, 1]] }], { logY: true }), />0\.5<\/text>/);
  const many = [{ name: 'noisy', points: Array.from({ length: 100_000 }, (_, i): [number, number] => [i, Math.sin(i)]) }];
  assert.ok(renderSvg(many).length < 200_000);
});

test('svgToPng: PNG bytes at scale x the SVG size', async () => {
  const png = await svgToPng(renderSvg(series, { width: 400, height: 240, title: 't' }), { scale: 2 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.from(png.subarray(16, 24));
  assert.deepEqual([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)], [800, 480]);
});

test('defaultMetricNames: losses first; never steps or clocks', () => {
  assert.deepEqual(defaultMetricNames(['step', 'trainLoss', 'valLoss', 'lr', 'elapsedMs']), ['trainLoss', 'valLoss']);
  assert.deepEqual(defaultMetricNames(['epoch', 'accuracy', 'f1', 'time', 'startedAt']), ['accuracy', 'f1']);
});

test('seriesFromRows / readMetricsJsonl: x from step, sparse fields, named fields, bad lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-plot-'));
  try {
    const file = join(dir, 'metrics.jsonl');
    writeFileSync(file, '{"step": 10, "trainLoss": 3.2, "lr": 0.001, "note": "x"}\n\n{"step": 20, "trainLoss": 3.0, "valLoss": 3.1}\n');
    const rows = readMetricsJsonl(file);
    assert.deepEqual(rows, [{ step: 10, trainLoss: 3.2, lr: 0.001 }, { step: 20, trainLoss: 3, valLoss: 3.1 }]);
    assert.deepEqual(seriesFromRows(rows), [
      { name: 'trainLoss', points: [[10, 3.2], [20, 3]] },
      { name: 'valLoss', points: [[20, 3.1]] },
    ]);
    assert.deepEqual(seriesFromRows(rows, ['lr', 'missing']), [{ name: 'lr', points: [[10, 0.001]] }]);
    assert.deepEqual(seriesFromRows([{ loss: 2 }, { loss: 1 }]), [{ name: 'loss', points: [[1, 2], [2, 1]] }]); // no step: line number
    writeFileSync(file, '{"step": 1}\n{oops\n');
    assert.throws(() => readMetricsJsonl(file), /metrics\.jsonl:2: not JSON/);
    writeFileSync(file, '[1, 2]\n');
    assert.throws(() => readMetricsJsonl(file), /metrics\.jsonl:1: expected a JSON object/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seriesFromPoints: one series per name, in the asked order', () => {
  const p = (step: number, name: string, value: number) => ({ id: step, step, name, value, time: 0 });
  const points = [p(1, 'a', 1), p(1, 'b', 2), p(2, 'a', 3)];
  assert.deepEqual(seriesFromPoints(points), [{ name: 'a', points: [[1, 1], [2, 3]] }, { name: 'b', points: [[1, 2]] }]);
  assert.deepEqual(seriesFromPoints(points, ['b', 'zz']).map((s) => s.name), ['b']);
});

test('niceTicks terminates on a range below float resolution', () => {
  const r = niceTicks(4.737, 4.737 + 4e-16);
  assert.ok(r.ticks.length > 0 && r.ticks.length < 1000);
  const same = niceTicks(3, 3);
  assert.ok(same.ticks.length > 0);
});
