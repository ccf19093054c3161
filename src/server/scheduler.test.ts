// The batching engine: same tokens as generate(), requests joining and leaving the batch, limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { generate } from '../llm/generate.js';
import { Scheduler, SchedulerBusyError, type GenerationRequest, type StepEvent } from './scheduler.js';
import { tinyRun } from './test-models.js';

const { model, tokenizer } = tinyRun();

async function collect(events: AsyncIterable<StepEvent>, n = 1): Promise<{ ids: number[][]; reasons: Array<string | null> }> {
  const ids = Array.from({ length: n }, () => [] as number[]);
  const reasons = new Array<string | null>(n).fill(null);
  for await (const ev of events) {
    if (ev.token) ids[ev.index]!.push(ev.token.id);
    if (ev.finishReason) reasons[ev.index] = ev.finishReason;
  }
  return { ids, reasons };
}

async function reference(req: GenerationRequest, seed: number): Promise<number[]> {
  const out: number[] = [];
  for await (const t of generate(model, req.promptIds, { ...req.sampling, maxNewTokens: req.maxNewTokens, seed, stopTokens: req.stopTokens })) out.push(t.id);
  return out;
}

test('concurrent batched requests produce exactly the tokens of generate() for the same seed', async () => {
  const s = new Scheduler(model, { maxBatch: 8 });
  const reqs: GenerationRequest[] = [
    { promptIds: tokenizer.encode('The quick'), maxNewTokens: 12, sampling: { temperature: 0.9 }, seed: 1, n: 3 },
    { promptIds: tokenizer.encode('It was the best of times'), maxNewTokens: 20, sampling: { temperature: 0 }, seed: 5 },
    { promptIds: tokenizer.encode('Hello'), maxNewTokens: 7, sampling: { temperature: 1.2, topK: 20, topP: 0.9, presencePenalty: 0.5, frequencyPenalty: 0.3 }, seed: 42 },
    // A long prompt: reaches the context end (blockSize 64) before max tokens.
    { promptIds: tokenizer.encode('I loved this film, it was wonderful. '.repeat(4)).slice(0, 55), maxNewTokens: 30, sampling: { temperature: 1 }, seed: 9 },
  ];
  const results = await Promise.all(reqs.map((r) => collect(s.submit(r).events, r.n ?? 1)));
  for (let r = 0; r < reqs.length; r++) {
    for (let i = 0; i < (reqs[r]!.n ?? 1); i++) {
      assert.deepEqual(results[r]!.ids[i], await reference(reqs[r]!, reqs[r]!.seed + i), `request ${r} choice ${i}`);
    }
  }
  assert.equal(results[3]!.reasons[0], 'length');
  assert.equal(results[3]!.ids[0]!.length, 64 - 55 + 1); // the context holds 64, the last token is not fed back
  const st = s.stats();
  assert.ok(st.batchedSequences / st.steps > 1.5, `mean batch ${st.batchedSequences / st.steps}`);
  assert.equal(st.running, 0);
});

test('a request arriving mid-generation joins the running batch and matches generate()', async () => {
  const s = new Scheduler(model, { maxBatch: 4 });
  const a: GenerationRequest = { promptIds: tokenizer.encode('The'), maxNewTokens: 40, sampling: { temperature: 1 }, seed: 3 };
  const b: GenerationRequest = { promptIds: tokenizer.encode('Hello world'), maxNewTokens: 10, sampling: { temperature: 1 }, seed: 4 };
  const first = s.submit(a);
  const aIds: number[] = [];
  let bDone: Promise<{ ids: number[][] }> | null = null;
  for await (const ev of first.events) {
    if (ev.token) aIds.push(ev.token.id);
    if (aIds.length === 5 && !bDone) bDone = collect(s.submit(b).events);
  }
  assert.deepEqual(aIds, await reference(a, 3));
  assert.deepEqual((await bDone!).ids[0], await reference(b, 4));
});

test('stop tokens end a choice with finish reason stop, without emitting the token', async () => {
  const s = new Scheduler(model);
  const req: GenerationRequest = { promptIds: tokenizer.encode('The'), maxNewTokens: 30, sampling: { temperature: 0 }, seed: 0 };
  const free = (await collect(s.submit(req).events)).ids[0]!;
  const stopAt = free[3]!;
  const r = await collect(s.submit({ ...req, stopTokens: [stopAt] }).events);
  assert.deepEqual(r.ids[0], free.slice(0, free.indexOf(stopAt)));
  assert.equal(r.reasons[0], 'stop');
});

test('an aborted request leaves the batch; the queue bound gives SchedulerBusyError', async () => {
  const s = new Scheduler(model, { maxBatch: 1, maxQueue: 2 });
  const ac = new AbortController();
  const long = s.submit({ promptIds: [1], maxNewTokens: 60, sampling: {}, seed: 0, signal: ac.signal });
  const it = long.events[Symbol.asyncIterator]();
  await it.next(); // running now: the queue is empty
  const waiting = s.submit({ promptIds: [1], maxNewTokens: 3, sampling: {}, seed: 0 });
  s.submit({ promptIds: [1], maxNewTokens: 3, sampling: {}, seed: 0 });
  assert.throws(() => s.submit({ promptIds: [1], maxNewTokens: 3, sampling: {}, seed: 0 }), SchedulerBusyError);
  let got = 1;
  for (let r = await it.next(); !r.done; r = await it.next()) if (r.value.token && ++got === 3) ac.abort();
  assert.ok(got < 10, `aborted after ${got} tokens`);
  const w = await collect(waiting.events);
  assert.equal(w.ids[0]!.length, 3);
  assert.equal(s.stats().running, 0);
});

test('a request lets go of its signal when it ends: finished, stopped early, failed or cancelled', async () => {
  // An abort listener left on a signal with a timeout source kept each finished request alive until
  // the timeout fired (10 minutes in the server).
  const s = new Scheduler(model, { maxBatch: 2 });
  const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
  const signalOf = () => AbortSignal.any([new AbortController().signal, AbortSignal.timeout(600_000)]);

  const done = signalOf();
  await collect(s.submit({ promptIds: [1], maxNewTokens: 4, sampling: {}, seed: 0, n: 2, signal: done }).events, 2);
  assert.equal(listeners(done), 0, 'finished');

  const early = signalOf();
  const h = s.submit({ promptIds: [1], maxNewTokens: 50, sampling: {}, seed: 0, signal: early });
  for await (const ev of h.events) if (ev.token) h.finish(0);
  assert.equal(listeners(early), 0, 'ended early by the caller');

  const bad = signalOf();
  await assert.rejects(collect(s.submit({ promptIds: [1e9], maxNewTokens: 5, sampling: {}, seed: 0, signal: bad }).events));
  assert.equal(listeners(bad), 0, 'failed (a token id past the vocabulary)');

  const ac = new AbortController();
  const gone = AbortSignal.any([ac.signal, AbortSignal.timeout(600_000)]);
  const c = s.submit({ promptIds: [1], maxNewTokens: 50, sampling: {}, seed: 0, signal: gone });
  ac.abort();
  await collect(c.events);
  assert.equal(listeners(gone), 0, 'cancelled');
});

test('finished sequences hand their KV caches to the next ones: at most maxBatch caches, same tokens as generate()', async () => {
  const s = new Scheduler(model, { maxBatch: 3 });
  for (let wave = 0; wave < 4; wave++) {
    const reqs = [0, 1, 2].map((i): GenerationRequest => ({ promptIds: [1 + i + wave, 2], maxNewTokens: 4 + 3 * i, sampling: { temperature: 0.9 }, seed: 10 * wave + i }));
    const handles = reqs.map((r) => s.submit(r));
    for (let i = 0; i < 3; i++) assert.deepEqual((await collect(handles[i]!.events)).ids[0], await reference(reqs[i]!, reqs[i]!.seed), `wave ${wave}, request ${i}`);
    // n = 2 copies the prompt's cache into a spare one.
    const two: GenerationRequest = { promptIds: [5, 6, 7], maxNewTokens: 5, sampling: { temperature: 0.9 }, seed: wave, n: 2 };
    const got = await collect(s.submit(two).events, 2);
    assert.deepEqual(got.ids[1], await reference(two, wave + 1));
    assert.ok(s.stats().kvCaches <= 3, `${s.stats().kvCaches} caches after wave ${wave}`);
  }
});

test('a request waiting past the queue timeout fails as busy', async () => {
  const s = new Scheduler(model, { maxBatch: 1, queueTimeoutMs: 0 });
  const a = s.submit({ promptIds: [1], maxNewTokens: 50, sampling: {}, seed: 0 });
  const b = s.submit({ promptIds: [1], maxNewTokens: 5, sampling: {}, seed: 0 });
  await new Promise((r) => setTimeout(r, 5));
  await assert.rejects(collect(b.events), (e: unknown) => e instanceof SchedulerBusyError && e.reason === 'timeout');
  await collect(a.events);
});

test('runTask runs model work between decode steps', async () => {
  const s = new Scheduler(model);
  const gen = collect(s.submit({ promptIds: [1, 2], maxNewTokens: 10, sampling: {}, seed: 0 }).events);
  assert.equal(await s.runTask(() => 2 + 2), 4);
  await assert.rejects(s.runTask(() => { throw new Error('boom'); }), /boom/);
  assert.equal((await gen).ids[0]!.length, 10);
});
