// ColumnTransformer: a column whose kind changed between fit and transform is named, not mis-encoded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { table, type Column } from '../../data/table.js';
import { ColumnTransformer } from './column-transformer.js';

const num = (name: string, ...v: number[]): Column => ({ kind: 'numeric', name, values: Float64Array.from(v) });
const cat = (name: string, ...v: (string | null)[]): Column => ({ kind: 'categorical', name, values: v });

test('a numeric column that comes back categorical is an error naming it', () => {
  const ct = new ColumnTransformer().fit(table([num('x', 1, 2, 3)]));
  assert.throws(() => ct.transform(table([cat('x', '1', 'a', null)])), { message: "column 'x' was numeric when fitted but is categorical now (it has the value 'a')" });
  // Every value looks like a number (a table built in code): the message said "the value 'undefined'".
  assert.throws(() => ct.transform(table([cat('x', '1', '2', null)])), { message: "column 'x' was numeric when fitted but is categorical now" });
});

test('a categorical column that comes back numeric: an error unless its categories were numbers too', () => {
  const ct = new ColumnTransformer().fit(table([cat('size', 'small', 'big', 'small')]));
  // Before, every number encoded as an unseen category: rows of zeros, silently.
  assert.throws(() => ct.transform(table([num('size', 1, 2)])), { message: "column 'size' was categorical when fitted (categories 'big', 'small') but is numeric now (e.g. the value 1)" });
  // All missing: a CSV reads such a column as numeric (all NaN); it is missing values, not a new kind.
  assert.deepEqual(Array.from(ct.transform(table([num('size', NaN)])).data), [0, 0]);
  // Categories that were numbers among words: a file holding only the numbers reads as numeric, as before.
  const codes = new ColumnTransformer().fit(table([cat('code', '1', '2', 'x')]));
  assert.deepEqual(Array.from(codes.transform(table([num('code', 2, 1)])).data), [0, 1, 0, 1, 0, 0]);
});
