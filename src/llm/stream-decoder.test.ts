// Streaming text from token ids: whole characters only, stop strings cut and never leak.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '../text/tokenizer.js';
import { StreamDecoder } from './stream-decoder.js';

const tok = Tokenizer.train(['hello world, 你好世界. END of text'], { vocabSize: 260 });

function stream(text: string, stops: string[]): { pieces: string[]; text: string; stopped: boolean } {
  const d = new StreamDecoder(tok, stops);
  const pieces: string[] = [];
  for (const id of tok.encode(text)) {
    const p = d.push(id);
    if (p) pieces.push(p);
    if (d.stopped) break;
  }
  const tail = d.flush();
  if (tail) pieces.push(tail);
  return { pieces, text: d.text, stopped: d.stopped };
}

test('multi-byte characters are never split across pieces', () => {
  const r = stream('你好世界', []);
  assert.equal(r.pieces.join(''), '你好世界');
  for (const p of r.pieces) assert.ok(!p.includes('\uFFFD'), JSON.stringify(p));
});

test('a stop string ends the text before it, and its prefix is never shown', () => {
  const r = stream('hello world END of text', [' END']);
  assert.equal(r.text, 'hello world');
  assert.equal(r.pieces.join(''), 'hello world');
  assert.ok(r.stopped);
  const s = stream('hello world', ['world!']);
  assert.equal(s.pieces.join(''), 'hello world');
  assert.equal(s.stopped, false);
});
