import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../nn/layers.js';
import { Rng } from '../tensor/random.js';
import { ParameterSoup, restoreParameters, snapshotParameters } from './soup.js';

function values(layer: Linear): number[] {
  return layer.parameters().flatMap((p) => Array.from(p.dataSync()));
}

function setAll(layer: Linear, f: (i: number) => number): void {
  let i = 0;
  for (const p of layer.parameters()) {
    const d = p.dataSync();
    for (let j = 0; j < d.length; j++) d[j] = f(i++);
  }
}

test('a snapshot restores the parameters after they change, and is not changed with them', () => {
  const layer = new Linear(3, 2, { rng: new Rng(0) });
  const params = layer.namedParameters();
  const before = values(layer);
  const snap = snapshotParameters(params);
  setAll(layer, (i) => i * 10);
  assert.notDeepEqual(values(layer), before);
  restoreParameters(params, snap);
  assert.deepEqual(values(layer), before);
  assert.throws(() => restoreParameters([['other', layer.parameters()[0]]], snap), /the snapshot has no 'other'/);
});

test('the soup of members is the mean of their parameters; a soup of one is that member', () => {
  const layer = new Linear(3, 2, { rng: new Rng(0) });
  const soup = new ParameterSoup(layer.namedParameters());
  assert.throws(() => soup.average(), /no member was added/);
  setAll(layer, (i) => i);
  soup.add();
  setAll(layer, () => 7);
  soup.add();
  setAll(layer, (i) => -2 * i);
  soup.add();
  soup.average();
  assert.equal(soup.size, 3);
  // (i + 7 - 2i) / 3 = (7 - i) / 3, to float32
  values(layer).forEach((v, i) => assert.equal(v, Math.fround((i + 7 - 2 * i) / 3), `value ${i}`));

  const one = new ParameterSoup(layer.namedParameters());
  setAll(layer, (i) => 0.1 * i);
  const kept = values(layer);
  one.add();
  setAll(layer, () => 0);
  one.average();
  assert.deepEqual(values(layer), kept);
});
