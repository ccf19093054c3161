// Bearer API keys: with keys configured, every /v1 route needs `Authorization: Bearer <key>`.

import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A check of the Authorization header against the keys; throws OpenAI's 401 when it fails.
 * With no keys every request passes.
 * @example const check = bearerCheck(['sk-local']); check('Bearer sk-local'); // ok
 */
export function bearerCheck(keys: readonly string[]): (header: string | undefined) => void {
  // Compare digests in constant time, so neither a key's length nor its prefix leaks through timing.
  const digests = keys.map(digest);
  return (header) => {
    if (digests.length === 0) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) {
      throw new ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { code: 'missing_api_key' });
    }
    const given = digest(m[1]!);
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    if (!ok) throw new ApiError(401, `Incorrect API key provided: ${redact(m[1]!)}.`, { code: 'invalid_api_key' });
  };
}

function redact(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}

/**
 * Keys from --api-key values and MOXING_API_KEYS (comma-separated).
 * @example apiKeysFrom(['a'], 'b,c'); // ['a', 'b', 'c']
 */
export function apiKeysFrom(flags: readonly string[] | undefined, env: string | undefined): string[] {
  // An empty key would turn authentication on with no key that can pass it.
  if (flags?.some((k) => k.trim() === '')) throw new Error('an API key cannot be empty (--api-key \'\' or --metrics-key \'\')');
  const fromEnv = (env ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  return [...new Set([...(flags ?? []), ...fromEnv])];
}
