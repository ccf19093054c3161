// The capital/element pairs a chat model may fine-tune on: v1's qa.csv without the 15% that
// `npm run eval` scores (the first 15% of a seed-0 permutation, as scripts/shipped/eval.ts draws them).
// Usage: node --import tsx scripts/shipped/capital-pairs.ts <qa.csv> <out.csv>

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { Rng } from '../../src/tensor/random.js';

const [input, out] = process.argv.slice(2);
if (!input || !out) throw new Error('usage: capital-pairs.ts <qa.csv> <out.csv>');
const rows = parse(readFileSync(input, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const order = new Rng(0).permutation(rows.length);
const keep = Array.from(order.subarray(Math.round(rows.length * 0.15)));
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
writeFileSync(`${out}.tmp`, `question,answer\n${keep.map((i) => `${quote(rows[i].question)},${quote(rows[i].answer)}`).join('\n')}\n`);
renameSync(`${out}.tmp`, out);
console.log(`${out}: ${keep.length} of ${rows.length} pairs (the other ${rows.length - keep.length} are npm run eval's)`);
