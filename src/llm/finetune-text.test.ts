// The in-memory text fine-tune: the loss falls on a repeated text, the model is left in eval mode,
// and bad input fails with a clear message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT } from './gpt.js';
import { Tokenizer } from '../text/tokenizer.js';
import { finetuneOnTexts, textStream } from './finetune-text.js';

const text = 'the cat sat on the mat. the dog sat on the log. ';
const tokenizer = Tokenizer.train([text.repeat(20)], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });

function tinyModel(): GPT {
  return new GPT({ vocabSize: 320, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true }, { seed: 1 });
}

test('the loss falls over 20 steps on a repeated text', async () => {
  const model = tinyModel();
  const seen: number[] = [];
  const losses = await finetuneOnTexts(model, tokenizer, [text.repeat(10)], { steps: 20, lr: 3e-3, onStep: (s) => seen.push(s.step) });
  assert.equal(losses.length, 20);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
  const first = (losses[0] + losses[1]) / 2;
  const last = (losses[18] + losses[19]) / 2;
  assert.ok(last < first * 0.8, `loss ${first} -> ${last}`);
  assert.equal(model.training, false);
});

test('texts are joined by <|endoftext|>', () => {
  const ids = textStream(tokenizer, ['a', 'b']);
  const eot = tokenizer.tokenToId('<|endoftext|>');
  assert.equal(ids[ids.length - 1], eot);
  assert.equal(ids.filter((id) => id === eot).length, 2);
});

test('too little text or bad steps fail clearly', async () => {
  await assert.rejects(finetuneOnTexts(tinyModel(), tokenizer, [''], { steps: 1 }), /fewer than 2 tokens/);
  await assert.rejects(finetuneOnTexts(tinyModel(), tokenizer, [text], { steps: 0 }), /steps must be a positive integer/);
});
