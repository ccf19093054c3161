// fetchOk: the headers a caller gives (the API key of a locked server) reach fetch, and a failed
// response is an error naming the URL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchOk } from './web-api.js';

test('fetchOk passes headers to fetch and names the URL of a response that is not OK', async (t) => {
  const seen: Array<{ url: string; init: unknown }> = [];
  t.mock.method(globalThis, 'fetch', async (url: string, init?: unknown) => {
    seen.push({ url, init });
    return new Response('{}', { status: url.includes('locked') ? 401 : 200, statusText: url.includes('locked') ? 'Unauthorized' : 'OK' });
  });
  await fetchOk('/models/m/config.json', { Authorization: 'Bearer k' });
  assert.deepEqual(seen[0], { url: '/models/m/config.json', init: { headers: { Authorization: 'Bearer k' } } });
  await fetchOk('/models/m/tokenizer.json');
  assert.equal(seen[1]!.init, undefined);
  await assert.rejects(fetchOk('/models/locked/config.json'), /^Error: \/models\/locked\/config\.json: HTTP 401 Unauthorized$/);
});
