// serve --docs: the last user message gets the retrieved context, the response names its sources
// (a field when collected, a header for streams too), and a question without matches is unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from './app.js';
import { ModelRegistry } from './model-registry.js';
import { tinyRun, tinyTokenizer } from './test-models.js';
import { DocIndex } from '../text/doc-index.js';
import { DEFAULT_CHAT_TEMPLATE } from '../llm/chat.js';
import { withDocs, type ChatDocs } from './docs-chat.js';
import type { ChatCompletionRequest } from './openai-types.js';

const docs: ChatDocs = {
  index: DocIndex.fromTexts([
    { source: 'fox.txt', text: 'The quick brown fox jumps over the lazy dog.' },
    { source: 'times.txt', text: 'It was the best of times, it was the worst of times.' },
  ]),
  topK: 2,
};

test('withDocs puts the best passage before the last question and lists the sources', () => {
  const req = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What does the fox jump over?' }] } as ChatCompletionRequest;
  const { req: out, sources } = withDocs(req, docs, tinyTokenizer(), DEFAULT_CHAT_TEMPLATE, 256);
  assert.deepEqual(sources.map((s) => s.source), ['fox.txt']);
  assert.equal(out.messages[0].content, 'Be brief.');
  assert.equal(out.messages[1].content, 'Context: The quick brown fox jumps over the lazy dog.\nWhat does the fox jump over?');
  assert.equal(req.messages[1].content, 'What does the fox jump over?', 'the request itself is not changed');
  const none = withDocs({ messages: [{ role: 'user', content: 'zebra' }] } as ChatCompletionRequest, docs, tinyTokenizer(), DEFAULT_CHAT_TEMPLATE, 128);
  assert.deepEqual(none.sources, []);
});

test('/v1/chat/completions with docs: sources in the body and the header', async () => {
  const registry = new ModelRegistry({ scheduler: { maxBatch: 4 } });
  registry.addRun(tinyRun({ name: 'tiny', blockSize: 64 }));
  const app = createApp({ registry, docs });
  const res = await app.request('/v1/chat/completions', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'the worst of times?' }], max_tokens: 4, seed: 1 }),
  });
  assert.equal(res.status, 200);
  const body = await res.json() as { sources: Array<{ source: string }>; choices: unknown[] };
  assert.equal(body.sources[0].source, 'times.txt');
  assert.equal(body.choices.length, 1);
  assert.deepEqual(JSON.parse(decodeURIComponent(res.headers.get('x-moxing-sources')!)), body.sources.map((s) => s.source));
  const stream = await app.request('/v1/chat/completions', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'the quick fox' }], max_tokens: 2, stream: true }),
  });
  assert.equal(stream.status, 200);
  assert.deepEqual(JSON.parse(decodeURIComponent(stream.headers.get('x-moxing-sources')!)), ['fox.txt']);
  await stream.text();
});
