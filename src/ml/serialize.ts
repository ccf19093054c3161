// JSON encoding of learned state: typed arrays and non-finite numbers survive a JSON round trip.

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function encodeNumber(x: number): Json {
  return Number.isFinite(x) ? x : { $num: String(x) };
}

function decodeNumber(x: Json): number {
  if (typeof x === 'number') return x;
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.$num === 'string') return Number(x.$num);
  throw new Error('model state: expected a number');
}

/**
 * Encodes a state object (typed arrays, nested objects and arrays, NaN/Infinity) as JSON-safe data.
 * @example JSON.stringify(encodeState({ w: Float64Array.of(1, NaN) })); // {"w":{"$f64":[1,{"$num":"NaN"}]}}
 */
export function encodeState(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return encodeNumber(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Float64Array) return { $f64: Array.from(value, encodeNumber) };
  if (value instanceof Float32Array) return { $f32: Array.from(value, encodeNumber) };
  if (value instanceof Int32Array) return { $i32: Array.from(value) };
  if (value instanceof Uint8Array) return { $u8: Array.from(value) };
  if (Array.isArray(value)) return value.map(encodeState);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = encodeState(v);
    return out;
  }
  throw new Error(`model state: cannot encode a ${typeof value}`);
}

/**
 * Inverse of {@link encodeState}.
 * @example decodeState(encodeState({ w: Float64Array.of(1) })); // { w: Float64Array [1] }
 */
export function decodeState(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeState);
  if ('$f64' in value) return Float64Array.from(value.$f64 as Json[], decodeNumber);
  if ('$f32' in value) return Float32Array.from(value.$f32 as Json[], decodeNumber);
  if ('$i32' in value) return Int32Array.from(value.$i32 as number[]);
  if ('$u8' in value) return Uint8Array.from(value.$u8 as number[]);
  if ('$num' in value) return decodeNumber(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeState(v);
  return out;
}
