// fastPick must equal Sampler.pick exactly: same ids, same logprobs, same RNG consumption.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Sampler, type SamplingOptions } from '../llm/sampling.js';
import { fastPick } from './fast-pick.js';

test('fastPick == Sampler.pick over random logits, options, ties and masked tokens', () => {
  const gen = new Rng(123);
  const optionSets: SamplingOptions[] = [
    {}, { temperature: 0.7 }, { temperature: 1.3, topK: 5 }, { topP: 0.9 }, { topP: 1e-9 }, { temperature: 0.9, topK: 40, topP: 0.5 },
    { presencePenalty: 0.8, frequencyPenalty: -0.4 }, { repetitionPenalty: 1.3, temperature: 0.6 }, { logitBias: { 3: 5, 17: -100, 999: 2 } },
  ];
  let checked = 0;
  for (const V of [7, 64, 300, 4096]) {
    for (const options of optionSets) {
      for (let trial = 0; trial < 12; trial++) {
        const logits = new Float32Array(V);
        const quantize = trial % 3 === 0; // many exact ties
        for (let i = 0; i < V; i++) logits[i] = quantize ? Math.round(gen.next() * 4) : (gen.next() - 0.5) * 8;
        if (trial % 4 === 1) for (let i = 0; i < V; i += 2) logits[i] = -Infinity; // a JSON-mode mask
        if (trial % 5 === 2) logits[0] = -0;
        const history = Array.from({ length: 10 }, () => Math.floor(gen.next() * V));
        const seed = trial * 7 + V;
        const ref = new Sampler(options, new Rng(seed));
        const fast = new Sampler(options, new Rng(seed));
        const noLogprob = new Sampler(options, new Rng(seed));
        for (let step = 0; step < 3; step++) {
          const a = ref.pick(logits, history);
          const b = fastPick(fast, logits, history);
          assert.equal(b.id, a.id, `V=${V} ${JSON.stringify(options)} trial ${trial} step ${step}`);
          assert.equal(Object.is(b.logprob, a.logprob) || b.logprob === a.logprob, true);
          assert.equal(fastPick(noLogprob, logits, history, { logprob: false }).id, a.id);
          checked++;
        }
        assert.equal(fast.rng.next(), ref.rng.next(), 'the same number of draws');
      }
    }
  }
  assert.equal(checked, 4 * optionSets.length * 12 * 3);
});
