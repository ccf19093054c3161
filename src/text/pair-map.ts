// A hash map from a pair of token ids to a small integer: the inner loop of BPE encoding and training.

/**
 * Open-addressing map `(a, b) -> value` over non-negative int32 ids, with no per-entry allocation
 * (a JS `Map` would need a string or double key per lookup, several times slower here).
 *
 * @example
 * const m = new PairMap();
 * m.set(3, 7, 42);
 * m.get(3, 7); // 42
 * m.get(7, 3); // -1
 */
export class PairMap {
  private keyA: Int32Array;
  private keyB: Int32Array;
  private values: Int32Array;
  private mask: number;
  /** Number of pairs stored. */
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keyA = new Int32Array(cap).fill(-1);
    this.keyB = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(a: number, b: number): number {
    return ((Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 7) & this.mask;
  }

  /** The value for `(a, b)`, or -1 when absent. */
  get(a: number, b: number): number {
    const keyA = this.keyA;
    const keyB = this.keyB;
    const mask = this.mask;
    let i = this.slot(a, b);
    for (;;) {
      const ka = keyA[i]!;
      if (ka === a && keyB[i] === b) return this.values[i]!;
      if (ka === -1) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Sets the value for `(a, b)`; `value` must be >= 0. */
  set(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.keyA.length) this.grow();
    let i = this.slot(a, b);
    for (;;) {
      const ka = this.keyA[i]!;
      if (ka === -1) {
        this.keyA[i] = a;
        this.keyB[i] = b;
        this.values[i] = value;
        this.size++;
        return;
      }
      if (ka === a && this.keyB[i] === b) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keyA, keyB, values } = this;
    const cap = keyA.length * 2;
    this.keyA = new Int32Array(cap).fill(-1);
    this.keyB = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < keyA.length; i++) if (keyA[i] !== -1) this.set(keyA[i]!, keyB[i]!, values[i]!);
  }
}
