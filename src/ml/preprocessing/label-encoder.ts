// Label encoding: string (or numeric) class labels to 0..K-1 and back.

import { Transformer } from '../base.js';
import type { Matrix } from '../matrix.js';

/** Learned state of {@link LabelEncoder}. */
export interface LabelEncoderState {
  /** Sorted distinct labels; label i encodes as i. */
  classes: string[];
}

/**
 * Maps labels to integers in sorted label order (numbers sort numerically, as scikit-learn).
 * @example new LabelEncoder().fit(['b', 'a', 'b']).encode(['a', 'b']); // Float64Array [0, 1]
 */
export class LabelEncoder extends Transformer<Record<string, never>, LabelEncoderState, readonly (string | number)[]> {
  readonly kind = 'LabelEncoder';
  constructor(params: Partial<Record<string, never>> = {}) {
    super({}, params);
  }
  fit(labels: readonly (string | number)[]): this {
    const distinct = Array.from(new Set(labels.map(String)));
    const numeric = distinct.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
    distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.setState({ classes: distinct });
  }
  /** Integer codes; unknown labels are an error. */
  encode(labels: readonly (string | number)[]): Float64Array {
    const index = new Map(this.state.classes.map((c, i) => [c, i]));
    return Float64Array.from(labels, (l) => {
      const k = index.get(String(l));
      if (k === undefined) throw new Error(`unknown label '${l}' (known: ${this.state.classes.slice(0, 10).join(', ')})`);
      return k;
    });
  }
  /** Labels of integer codes. */
  decode(codes: ArrayLike<number>): string[] {
    const { classes } = this.state;
    return Array.from(codes, (c, i) => {
      if (!(Number.isInteger(c) && c >= 0 && c < classes.length)) throw new RangeError(`LabelEncoder.decode: code ${c} at index ${i} is not one of 0..${classes.length - 1}`);
      return classes[c]!;
    });
  }
  /** Codes as a one-column matrix. */
  transform(labels: readonly (string | number)[]): Matrix {
    const d = this.encode(labels);
    return { data: d, rows: d.length, cols: 1 };
  }
  parameterCount(): number {
    return this.state.classes.length;
  }
}
