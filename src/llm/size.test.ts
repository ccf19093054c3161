// Size arithmetic against known counts: GPT-2 small is 124,439,808 parameters with tied embeddings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countGptParameters, sizeReport, human } from './size.js';
import { configFromPreset } from './config.js';
import { GPT } from './gpt.js';

test('parameter counts: GPT-2 family as published, and equal to the built model', () => {
  assert.equal(countGptParameters(configFromPreset('gpt2')), 124_439_808);
  assert.equal(countGptParameters(configFromPreset('gpt2-medium')), 354_823_168);
  assert.equal(countGptParameters(configFromPreset('gpt2-xl')), 1_557_611_200);
  for (const bias of [true, false]) {
    const c = configFromPreset('nano', { vocabSize: 100, bias });
    assert.equal(countGptParameters(c), new GPT(c).numParameters());
  }
  const big = sizeReport(configFromPreset('gpt3-175b'));
  assert.ok(big.parameters > 174e9 && big.parameters < 176e9, `${big.parameters}`);
});

test('FLOPs and memory follow the rules of thumb', () => {
  const r = sizeReport(configFromPreset('gpt2'));
  // forward ~ 2N (+ attention): between 2N and 2.3N for GPT-2 small
  assert.ok(r.forwardFlopsPerToken > 2 * r.parameters * 0.95 && r.forwardFlopsPerToken < 2.3 * r.parameters);
  assert.equal(r.trainingFlopsPerToken, 3 * r.forwardFlopsPerToken);
  assert.equal(r.memory.weights.fp32, 4 * r.parameters);
  assert.equal(r.memory.adamwTraining.fp32, 16 * r.parameters);
  assert.equal(r.chinchillaTokens, 20 * r.parameters);
  assert.equal(human(124_439_808), '124M');
  assert.equal(human(1536, 'B'), '1.5 KiB');
  assert.equal(human(174_604_259_328), '175B');
  assert.equal(human(3.7e24, 'FLOP'), '3.70e+24 FLOP');
});
