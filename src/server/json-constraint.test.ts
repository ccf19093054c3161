// JSON mode: valid prefixes pass, invalid ones are masked, and sampled output always parses in budget.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonObjectConstraint } from './json-constraint.js';
import { Scheduler } from './scheduler.js';
import { tinyRun } from './test-models.js';

// A vocabulary of the 256 single bytes, so any text is a token sequence.
const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));

/** Whether the constraint lets `text` through byte by byte (with an ample budget). */
function accepts(text: string): { ok: boolean; complete: boolean } {
  const c = jsonObjectConstraint(bytes)();
  for (const b of Buffer.from(text)) {
    const logits = new Float32Array(256);
    c.mask(logits, 1000);
    if (logits[b] === -Infinity) return { ok: false, complete: c.complete };
    c.accept(b);
  }
  return { ok: true, complete: c.complete };
}

test('valid JSON objects pass and complete; invalid prefixes are masked', () => {
  for (const s of ['{}', '{"a": 1}', '{"a":[1,-2.5e+3,true,false,null,{"b":"c\\n\\u00e9"}]}', '{"x": "日本"}', '{"n":0.5, "m": [ ] }']) {
    assert.deepEqual(accepts(s), { ok: true, complete: true }, s);
    assert.doesNotThrow(() => JSON.parse(s));
  }
  assert.deepEqual(accepts('{"a": 1'), { ok: true, complete: false });
  for (const s of ['[1]', '"a"', '{a:1}', '{"a" 1}', '{"a":01}', '{"a":tru}', '{"a":1,}', '{"a":"\u0001"}', '{"a":1]', '{} x', '{"a":-}', ' {}']) {
    assert.equal(accepts(s).ok, false, s);
  }
});

test('the budget forces the object closed: output parses even with few tokens', () => {
  const c = jsonObjectConstraint(bytes)();
  // Feed '{"key": [1, {"deep": "str' then let only the mask decide with a tight budget.
  for (const b of Buffer.from('{"key": [1, {"deep": "str')) c.accept(b);
  let out = '{"key": [1, {"deep": "str';
  for (let remaining = 5; remaining > 0; remaining--) {
    const logits = new Float32Array(256).fill(0);
    logits[0x61] = 10; // the model wants to keep writing 'a'
    c.mask(logits, remaining);
    let best = 0;
    for (let i = 1; i < 256; i++) if (logits[i]! > logits[best]!) best = i;
    c.accept(best);
    out += String.fromCharCode(best);
  }
  assert.ok(c.complete);
  assert.deepEqual(JSON.parse(out), { key: [1, { deep: 'stra' }] }); // one 'a' fits: then '"}]}' uses the last 4
});

test('a random tiny GPT in JSON mode always produces a parseable object', async () => {
  const { model, tokenizer } = tinyRun({ seed: 7 });
  const special = new Set(tokenizer.specialTokens.map((t) => t.id));
  const tokenBytes = Array.from({ length: model.config.vocabSize }, (_, id) => (special.has(id) ? null : tokenizer.decodeBytes([id])));
  const s = new Scheduler(model);
  const prompt = tokenizer.encode('{"name": "moxing"');
  for (let seed = 0; seed < 24; seed++) {
    const maxNewTokens = 2 + (seed % 12) * 3;
    const ids: number[] = [];
    let reason: string | null = null;
    for await (const ev of s.submit({ promptIds: prompt, maxNewTokens, sampling: { temperature: 1.5 }, seed, constraint: jsonObjectConstraint(tokenBytes) }).events) {
      if (ev.token) ids.push(ev.token.id);
      reason = ev.finishReason ?? reason;
    }
    const text = tokenizer.decode(ids);
    assert.ok(ids.length <= maxNewTokens);
    assert.equal(typeof JSON.parse(text), 'object', `seed ${seed}: ${text}`);
    assert.equal(reason, 'stop');
  }
});
