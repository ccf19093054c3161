// End to end: `moxing serve` on a loopback port, driven by the official openai client (v6).

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startServe } from '../cli/commands/serve.js';
import type { ServerHandle } from './server.js';
import { tinyRunDir } from './test-models.js';

let server: ServerHandle;
let client: OpenAI;

before(async () => {
  const dir = await tinyRunDir({ name: 'tiny-e2e' });
  const long = await tinyRunDir({ name: 'tiny-long', blockSize: 1024 });
  server = await startServe({ port: 0, models: [dir, long], apiKeys: ['sk-e2e-secret'], log: () => {} });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-e2e-secret', maxRetries: 0, timeout: 20_000 });
});

after(async () => {
  await server.close();
});

test('models.list', async () => {
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['tiny-e2e', 'tiny-long']);
});

test('completions.create', async () => {
  const r = await client.completions.create({ model: 'tiny-e2e', prompt: 'The quick brown', max_tokens: 8, seed: 3, temperature: 0.8 });
  assert.equal(r.object, 'text_completion');
  assert.equal(r.choices.length, 1);
  assert.equal(typeof r.choices[0]!.text, 'string');
  assert.ok(r.usage!.completion_tokens >= 1 && r.usage!.completion_tokens <= 8);
});

test('chat: streamed text assembled from chunks equals the non-streamed text for the same seed', async () => {
  const params = { model: 'tiny-e2e', messages: [{ role: 'user' as const, content: 'Hello there' }], max_completion_tokens: 20, seed: 42, temperature: 1 };
  const whole = await client.chat.completions.create(params);
  assert.equal(whole.choices[0]!.message.role, 'assistant');
  const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null | undefined = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, whole.choices[0]!.message.content);
  assert.equal(finish, whole.choices[0]!.finish_reason);
  assert.deepEqual(usage, whole.usage);
});

test('embeddings.create (the client asks for base64 and decodes it)', async () => {
  const r = await client.embeddings.create({ model: 'tiny-e2e', input: ['hello world', 'goodbye'] });
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0]!.embedding.length, 32);
  assert.ok(Math.abs(Math.hypot(...r.data[0]!.embedding) - 1) < 1e-5);
  assert.ok(r.usage.prompt_tokens > 0);
});

test('errors arrive as the client\'s typed errors, and the server keeps serving', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    (e: unknown) => e instanceof OpenAI.NotFoundError && e.status === 404 && e.code === 'model_not_found',
  );
  await assert.rejects(
    client.completions.create({ model: 'tiny-e2e', prompt: 'hi', max_tokens: 1000 }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded',
  );
  const wrongKey = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(wrongKey.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  const again = await client.completions.create({ model: 'tiny-e2e', prompt: 'ok', max_tokens: 2 });
  assert.equal(again.choices.length, 1);
});

test('over the socket: a 10 MB body gets 413; a client that disconnects mid-stream frees its slot', async () => {
  const auth = { Authorization: 'Bearer sk-e2e-secret', 'Content-Type': 'application/json' };
  const big = await fetch(`${server.url}/v1/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'tiny-e2e', prompt: 'x'.repeat(10 * 1024 * 1024) }) });
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'request_too_large');

  const ac = new AbortController();
  const res = await fetch(`${server.url}/v1/completions`, {
    method: 'POST', headers: auth, signal: ac.signal,
    body: JSON.stringify({ model: 'tiny-long', prompt: 'x', max_tokens: 1000, stream: true }),
  });
  const reader = res.body!.getReader();
  await reader.read();
  ac.abort();
  const metric = async (name: string) => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: auth })).text(); // the API key guards /metrics too
    return Number(new RegExp(`^${name}\\{model="tiny-long"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  const t0 = Date.now();
  while ((await metric('moxing_running_sequences')) > 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await metric('moxing_running_sequences'), 0);
  const generated = await metric('moxing_completion_tokens_total');
  assert.ok(generated < 900, `generation stopped early (${generated} tokens)`);
});
