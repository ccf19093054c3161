// The shared-memory heap: size classes, zeroing, reuse, growth, GC reclaim, fallback when full.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WasmHeap, HEAP_BASE, sizeClass } from './heap.js';
import { retainingSubarray } from '../registry.js';

test('size classes: 64-byte steps to 4 KiB, then at most 25% slack, always 64-byte aligned', () => {
  assert.equal(sizeClass(1), 64);
  assert.equal(sizeClass(65), 128);
  assert.equal(sizeClass(4096), 4096);
  for (const bytes of [4097, 5000, 123457, 1 << 20, (1 << 20) + 1, 3e8]) {
    const c = sizeClass(bytes);
    assert.ok(c >= bytes && c <= bytes * 1.25 + 64, `${bytes} -> ${c}`);
    assert.equal(c % 64, 0);
  }
});

test('alloc gives zeroed, aligned views inside the memory; float64 stays on the JS heap', () => {
  const heap = new WasmHeap({ initialPages: 2 });
  const a = heap.alloc('float32', 10) as Float32Array;
  const b = heap.alloc('int32', 3) as Int32Array;
  assert.ok(a instanceof Float32Array && b instanceof Int32Array);
  assert.ok(heap.addressOf(a) >= HEAP_BASE && heap.addressOf(a) % 64 === 0);
  assert.notEqual(heap.addressOf(a), heap.addressOf(b));
  assert.deepEqual([...a], new Array(10).fill(0));
  assert.equal(heap.addressOf(heap.alloc('float64', 4)), -1);
  assert.equal(heap.addressOf(new Float32Array(4)), -1);
  // A subarray is still in the heap, at its own address.
  assert.equal(heap.addressOf(a.subarray(2)), heap.addressOf(a) + 8);
});

test('dispose returns a block: the next alloc of that class reuses it, zeroed', () => {
  const heap = new WasmHeap({ initialPages: 2 });
  const a = heap.alloc('float32', 100) as Float32Array;
  a.fill(7);
  const addr = heap.addressOf(a);
  heap.dispose(a);
  const b = heap.alloc('float32', 99) as Float32Array;
  assert.equal(heap.addressOf(b), addr);
  assert.equal(b.reduce((s, x) => s + x, 0), 0);
  heap.dispose(b);
  heap.dispose(b); // a second dispose is ignored, not a double free
  assert.equal(heap.stats().liveBytes, 0);
});

test('growing keeps earlier views valid (shared memory is never detached)', () => {
  const heap = new WasmHeap({ initialPages: 1 });
  const a = heap.alloc('float32', 1000) as Float32Array;
  a[999] = 42;
  const big = heap.alloc('float32', 4 << 20) as Float32Array; // 16 MiB: forces memory.grow
  big[big.length - 1] = 1;
  assert.equal(a[999], 42);
  assert.ok(heap.addressOf(big) > 0);
});

test('a full heap falls back to JS-heap arrays instead of failing', () => {
  const heap = new WasmHeap({ initialPages: 2, maxPages: 4 }); // at most 256 KiB
  const inHeap = heap.alloc('float32', 1000);
  const tooBig = heap.alloc('float32', 1 << 20);
  assert.ok(heap.addressOf(inHeap) > 0);
  assert.equal(heap.addressOf(tooBig), -1);
  assert.equal(tooBig.length, 1 << 20);
  assert.equal(heap.stats().fallbacks, 1);
});

test('blocks of garbage views return to the free lists after a GC and a turn of the event loop', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = new WasmHeap({ initialPages: 2 });
  for (let i = 0; i < 100; i++) heap.alloc('float32', 1000);
  assert.ok(heap.stats().liveBytes >= 100 * 4000);
  for (let i = 0; i < 10 && heap.stats().liveBytes > 0; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(heap.stats().liveBytes, 0);
  assert.ok(heap.stats().freeBytes >= 100 * 4000);
});

test('a synchronous loop that drops its tensors stays inside a small heap (forced GC + cleanupSome)', () => {
  const heap = new WasmHeap({ initialPages: 16, maxPages: 512, gcEveryBytes: 8 << 20 }); // 32 MiB at most
  let sum = 0;
  // 400 MiB of 1 MiB tensors, none kept, no await: without synchronous reclaim this would overflow.
  for (let i = 0; i < 400; i++) {
    const t = heap.alloc('float32', 1 << 18) as Float32Array;
    t[0] = i;
    sum += t[0];
  }
  assert.equal(sum, (399 * 400) / 2);
  assert.equal(heap.stats().fallbacks, 0);
  assert.ok(heap.stats().topBytes <= 32 << 20);
});

test('the default collection interval follows what survives, so a steady loop stops growing the memory', () => {
  const heap = new WasmHeap({ initialPages: 16 });
  const kept: Float32Array[] = [];
  // A training-step-like pattern: 64 MiB kept for good, then 1.5 GiB of 4 MiB temporaries dropped at once.
  for (let i = 0; i < 16; i++) kept.push(heap.alloc('float32', 1 << 20) as Float32Array);
  for (let i = 0; i < 384; i++) (heap.alloc('float32', 1 << 20) as Float32Array)[0] = i;
  assert.equal(heap.stats().fallbacks, 0);
  // One collection interval (the 512 MiB floor) past what is kept: counting the unreclaimed garbage
  // as live would double the interval at every collection and touch about 1.5 GiB of fresh pages.
  assert.ok(heap.stats().topBytes < 700 << 20, `top ${heap.stats().topBytes >> 20} MiB`);
  assert.equal(kept.length, 16);
});

test('retainingSubarray keeps its parent block alive after the parent view is dropped', () => {
  const heap = new WasmHeap({ initialPages: 2 });
  const make = (): Float32Array => {
    const parent = heap.alloc('float32', 1000) as Float32Array;
    parent.fill(3);
    return retainingSubarray(parent, 10, 20); // a slice: the parent view itself becomes garbage
  };
  const child = make();
  heap.collect();
  // Were the block freed, this allocation would reuse it and zero the child's bytes.
  const other = heap.alloc('float32', 1000) as Float32Array;
  other.fill(9);
  assert.deepEqual([...child], new Array(10).fill(3));
  assert.ok(child instanceof Float32Array);
  assert.equal(heap.addressOf(child) > 0, true);
});

test('heap views are plain typed arrays (no subclass: V8 keeps optimized code for functions that allocate them)', () => {
  const heap = new WasmHeap({ initialPages: 2 });
  assert.equal(Object.getPrototypeOf(heap.alloc('float32', 4)), Float32Array.prototype);
  assert.equal(Object.getPrototypeOf(heap.alloc('int32', 4)), Int32Array.prototype);
});
