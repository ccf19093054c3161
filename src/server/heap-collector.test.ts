// The server's wasm-heap collector: collects once garbage passes the slack, and only then.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHeapCollector } from './heap-collector.js';
import { WasmHeap } from '../backends/wasm/heap.js';

test('collects when live bytes pass the last collection by the slack, not before', () => {
  let live = 100;
  let collected = 0;
  const heap = { stats: () => ({ liveBytes: live }), collect: () => { collected++; live = 120; } };
  const c = startHeapCollector(heap, { slackBytes: 50, intervalMs: 60_000 });
  try {
    live = 150;
    assert.equal(c.check(), false);
    live = 151;
    assert.equal(c.check(), true);
    assert.equal(collected, 1);
    live = 170; // 120 survived: the next one waits for 170 + 1
    assert.equal(c.check(), false);
    live = 90; // blocks came back later (finalizers): the mark follows them down
    c.check();
    live = 141;
    assert.equal(c.check(), true);
    assert.equal(c.collections, 2);
  } finally {
    c.stop();
  }
});

test('on a real heap, dropped tensors come back and the memory stops growing', () => {
  const heap = new WasmHeap({ initialPages: 16, gcEveryBytes: 2 ** 40 }); // the heap itself never collects
  const c = startHeapCollector(heap, { slackBytes: 4 * 2 ** 20, intervalMs: 60_000 });
  try {
    let reserved = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 16; i++) heap.alloc('float32', 64 * 1024); // 256 KiB each, dropped at once
      c.check();
      if (round === 19) reserved = heap.memory.buffer.byteLength;
    }
    assert.ok(c.collections > 0);
    assert.equal(heap.memory.buffer.byteLength, reserved, 'no growth over the last 20 rounds');
    assert.ok(heap.stats().liveBytes < 16 * 2 ** 20);
  } finally {
    c.stop();
  }
});
