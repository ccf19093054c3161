// JSON mode: a byte-level pushdown recognizer of JSON objects masks tokens so the output always parses.
//
// Each candidate token's bytes are run through a copy of the recognizer; tokens that would make the
// prefix invalid are masked. A token is also masked when, after it, the shortest completion (in
// bytes, each one a single-byte token of the byte-level vocabulary) no longer fits in the tokens
// left, so the object closes before max_tokens or the context runs out.

import type { TokenConstraint } from './scheduler.js';

const enum Mode {
  Start, // before the top-level object: '{'
  Value, // a value is expected
  ArrFirst, // after '[': a value or ']'
  ObjFirst, // after '{': a key or '}'
  Key, // after ',' in an object: a key
  Colon, // after a key
  After, // after a value inside a container: ',' or the closer
  Str, // inside a string
  Esc, // after a backslash
  Hex, // inside \uXXXX
  Num, // inside a number
  Lit, // inside true/false/null
  Done, // the top-level object is closed
}

const enum NumState { Minus, Zero, Int, Dot, Frac, E, ESign, Exp }

/** The recognizer's state; copied per candidate token. */
interface State {
  mode: Mode;
  /** Open containers: 1 = object, 2 = array. */
  stack: number[];
  /** Str/Esc/Hex: whether the string is a key. */
  key: boolean;
  /** Hex digits still expected; Num state; Lit: the rest of the literal. */
  hex: number;
  num: NumState;
  lit: string;
}

const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isHex = (b: number) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

function copy(s: State): State {
  return { mode: s.mode, stack: s.stack.slice(), key: s.key, hex: s.hex, num: s.num, lit: s.lit };
}

/** After a value ends: back to the container, or done at the top level. */
function valueEnded(s: State): void {
  s.mode = s.stack.length === 0 ? Mode.Done : Mode.After;
}

function startValue(s: State, b: number): boolean {
  if (b === 0x7b) { s.stack.push(1); s.mode = Mode.ObjFirst; return true; } // {
  if (b === 0x5b) { s.stack.push(2); s.mode = Mode.ArrFirst; return true; } // [
  if (b === 0x22) { s.mode = Mode.Str; s.key = false; return true; } // "
  if (b === 0x2d) { s.mode = Mode.Num; s.num = NumState.Minus; return true; } // -
  if (b === 0x30) { s.mode = Mode.Num; s.num = NumState.Zero; return true; }
  if (isDigit(b)) { s.mode = Mode.Num; s.num = NumState.Int; return true; }
  const lit = b === 0x74 ? 'rue' : b === 0x66 ? 'alse' : b === 0x6e ? 'ull' : null; // t f n
  if (lit) { s.mode = Mode.Lit; s.lit = lit; return true; }
  return false;
}

function close(s: State, b: number): boolean {
  const top = s.stack[s.stack.length - 1];
  if ((b === 0x7d && top === 1) || (b === 0x5d && top === 2)) { s.stack.pop(); valueEnded(s); return true; }
  return false;
}

/** Feeds one byte; false when it cannot continue any valid JSON object. */
function feed(s: State, b: number): boolean {
  switch (s.mode) {
    case Mode.Start: // no leading whitespace: the reply starts with the object
      if (b === 0x7b) { s.stack.push(1); s.mode = Mode.ObjFirst; return true; }
      return false;
    case Mode.Value:
      return isWs(b) || startValue(s, b);
    case Mode.ArrFirst:
      return isWs(b) || close(s, b) || startValue(s, b);
    case Mode.ObjFirst:
      if (isWs(b)) return true;
      if (b === 0x22) { s.mode = Mode.Str; s.key = true; return true; }
      return close(s, b);
    case Mode.Key:
      if (isWs(b)) return true;
      if (b === 0x22) { s.mode = Mode.Str; s.key = true; return true; }
      return false;
    case Mode.Colon:
      if (isWs(b)) return true;
      if (b === 0x3a) { s.mode = Mode.Value; return true; }
      return false;
    case Mode.After:
      if (isWs(b)) return true;
      if (b === 0x2c) { s.mode = s.stack[s.stack.length - 1] === 1 ? Mode.Key : Mode.Value; return true; }
      return close(s, b);
    case Mode.Str:
      if (b === 0x22) { if (s.key) s.mode = Mode.Colon; else valueEnded(s); return true; }
      if (b === 0x5c) { s.mode = Mode.Esc; return true; }
      return b >= 0x20; // control characters must be escaped; bytes >= 0x80 are UTF-8 inside strings
    case Mode.Esc:
      if (b === 0x75) { s.mode = Mode.Hex; s.hex = 4; return true; } // \u
      if ('"\\/bfnrt'.includes(String.fromCharCode(b))) { s.mode = Mode.Str; return true; }
      return false;
    case Mode.Hex:
      if (!isHex(b)) return false;
      if (--s.hex === 0) s.mode = Mode.Str;
      return true;
    case Mode.Lit:
      if (b !== s.lit.charCodeAt(0)) return false;
      s.lit = s.lit.slice(1);
      if (s.lit === '') valueEnded(s);
      return true;
    case Mode.Num:
      return feedNumber(s, b);
    case Mode.Done:
      return isWs(b);
  }
}

function feedNumber(s: State, b: number): boolean {
  const d = isDigit(b);
  switch (s.num) {
    case NumState.Minus:
      if (b === 0x30) { s.num = NumState.Zero; return true; }
      if (d) { s.num = NumState.Int; return true; }
      return false;
    case NumState.Zero:
    case NumState.Int:
      if (d && s.num === NumState.Int) return true;
      if (b === 0x2e) { s.num = NumState.Dot; return true; }
      if (b === 0x65 || b === 0x45) { s.num = NumState.E; return true; }
      break;
    case NumState.Dot:
      if (d) { s.num = NumState.Frac; return true; }
      return false;
    case NumState.Frac:
      if (d) return true;
      if (b === 0x65 || b === 0x45) { s.num = NumState.E; return true; }
      break;
    case NumState.E:
      if (b === 0x2b || b === 0x2d) { s.num = NumState.ESign; return true; }
      if (d) { s.num = NumState.Exp; return true; }
      return false;
    case NumState.ESign:
      if (d) { s.num = NumState.Exp; return true; }
      return false;
    case NumState.Exp:
      if (d) return true;
      break;
  }
  // The number ended on a complete state: this byte belongs to what follows it.
  valueEnded(s);
  return feed(s, b);
}

/** The fewest bytes that complete the object from this state. */
function closeCost(s: State): number {
  const closers = s.stack.length;
  switch (s.mode) {
    case Mode.Start: return 2; // {}
    case Mode.Value: return 1 + closers; // 0
    case Mode.ArrFirst:
    case Mode.ObjFirst:
    case Mode.After: return closers;
    case Mode.Key: return 4 + closers; // "":0
    case Mode.Colon: return 2 + closers; // :0
    case Mode.Str: return 1 + (s.key ? 2 : 0) + closers;
    case Mode.Esc: return 2 + (s.key ? 2 : 0) + closers;
    case Mode.Hex: return s.hex + 1 + (s.key ? 2 : 0) + closers;
    case Mode.Lit: return s.lit.length + closers;
    case Mode.Num: {
      const open = s.num === NumState.Minus || s.num === NumState.Dot || s.num === NumState.E || s.num === NumState.ESign;
      return (open ? 1 : 0) + closers;
    }
    case Mode.Done: return 0;
  }
}

/**
 * Token constraint for `response_format: {type: "json_object"}`: the output is one JSON object.
 * `tokenBytes[id]` holds each token's bytes; `null` marks special tokens (allowed as `eos` only).
 * @example
 * const make = jsonObjectConstraint(ids.map((id) => tokenizer.decodeBytes([id])));
 * scheduler.submit({ ...req, constraint: make });
 */
export function jsonObjectConstraint(tokenBytes: ReadonlyArray<Uint8Array | null>): () => TokenConstraint {
  return () => new JsonObjectConstraint(tokenBytes);
}

class JsonObjectConstraint implements TokenConstraint {
  private state: State = { mode: Mode.Start, stack: [], key: false, hex: 0, num: NumState.Int, lit: '' };
  constructor(private readonly tokenBytes: ReadonlyArray<Uint8Array | null>) {}

  get complete(): boolean {
    return this.state.mode === Mode.Done;
  }

  /** The state after a token's bytes, or null if the token is not allowed. */
  private after(id: number): State | null {
    const bytes = this.tokenBytes[id];
    if (!bytes || bytes.length === 0) return null;
    const s = copy(this.state);
    for (const b of bytes) if (!feed(s, b)) return null;
    return s;
  }

  mask(logits: Float32Array, remaining: number): void {
    let allowed = 0;
    const keep = new Uint8Array(logits.length);
    // Whitespace between values is legal but adds nothing: forbid it once the budget runs short.
    const m = this.state.mode;
    const padding = m !== Mode.Str && m !== Mode.Esc && m !== Mode.Hex && remaining <= closeCost(this.state) + 8;
    for (let id = 0; id < logits.length; id++) {
      const s = this.after(id);
      if (s && closeCost(s) <= remaining - 1 && !(padding && onlyWs(this.tokenBytes[id]!))) {
        keep[id] = 1;
        allowed++;
      }
    }
    if (allowed === 0) return; // the budget cannot hold any object: leave the model free
    for (let id = 0; id < logits.length; id++) if (!keep[id]) logits[id] = -Infinity;
  }

  accept(id: number): void {
    const s = this.after(id);
    if (s) this.state = s;
  }
}

function onlyWs(bytes: Uint8Array): boolean {
  for (const b of bytes) if (!isWs(b)) return false;
  return true;
}
