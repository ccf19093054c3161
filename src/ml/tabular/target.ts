// The target column as numbers: values for regression, class codes for classification, with clear errors.

import { column, missingCount, type Column, type Table } from '../../data/table.js';
import { LabelEncoder } from '../preprocessing/label-encoder.js';
import { TabularError } from './error.js';
import type { Task } from './models.js';

/** Class labels as text: numeric labels become their decimal text (missing ones stay null). */
function labelText(c: Column): (string | null)[] {
  return c.kind === 'numeric' ? Array.from(c.values, String) : (c.values as (string | null)[]);
}

/**
 * Checks the target column and returns its values for the task (class codes, with the encoder, or numbers).
 * @example targetValues(t, 'Status', 'classification').labels?.state.classes; // ['bad', 'good']
 */
export function targetValues(t: Table, target: string, task: Task): { y: Float64Array; labels: LabelEncoder | null } {
  const c = column(t, target);
  const missing = missingCount(c);
  if (missing > 0) {
    const first = c.kind === 'numeric' ? c.values.findIndex((v) => Number.isNaN(v)) : c.values.findIndex((v) => v === null);
    throw new TabularError(`target column '${target}' has ${missing} missing value${missing > 1 ? 's' : ''} (first in data row ${first + 1})`);
  }
  if (task === 'regression') {
    if (c.kind !== 'numeric') throw new TabularError(`target column '${target}' is not numeric: regression needs a numeric target`);
    return { y: c.values, labels: null };
  }
  const text = labelText(c) as string[];
  const enc = new LabelEncoder().fit(text);
  try {
    return { y: enc.encode(text), labels: enc };
  } catch (err) {
    throw new TabularError(`target column '${target}': ${(err as Error).message}`);
  }
}

/**
 * The target of held-out rows in the model's terms: numbers for regression; for classification the
 * code of each label among the model's classes, -1 for a label it never saw (it counts as an error).
 * @example heldOutTarget(test, 'Status', 'classification', ['bad', 'good']);
 */
export function heldOutTarget(t: Table, target: string, task: Task, classes: readonly string[] | null): Float64Array {
  if (task === 'regression') return targetValues(t, target, task).y;
  const c = column(t, target);
  if (missingCount(c) > 0) targetValues(t, target, task); // throws the missing-value error
  const known = new Map((classes ?? []).map((l, i) => [l, i]));
  return Float64Array.from(labelText(c), (l) => (l === null ? -1 : known.get(l) ?? -1));
}
