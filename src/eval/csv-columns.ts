// Text columns of a CSV file exactly as written (no number or missing-value typing: an answer such
// as "Na" or "1.0" must stay what it is), with errors that name the flag and the file.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from '../text/utf8.js';
import { parse } from 'csv-parse/sync';

/**
 * The named columns of a CSV file with a header row.
 * @example readTextColumns('qa.csv', { '--question-col': 'question', '--answer-col': 'answer' })
 */
export function readTextColumns<K extends string>(path: string, columns: Record<K, string>): Record<K, string[]> {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`${path}: is a directory, expected a CSV file`);
  const bytes = readFileSync(path);
  // Decoded anyway, other encodings would be read as replacement characters and scored as text.
  if (!isUtf8(bytes)) throw new Error(`${path}: not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  let rows: string[][];
  try {
    rows = parse(bytes.toString('utf8'), { skip_empty_lines: true, relax_column_count: true, bom: true }) as string[][];
  } catch (err) {
    throw new Error(`${path}: not valid CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) throw new Error(`${path}: empty (expected a header row)`);
  if (rows.length === 1) throw new Error(`${path}: no data rows after the header`);
  const header = rows[0].map((h) => h.trim());
  const out = {} as Record<K, string[]>;
  for (const [flag, name] of Object.entries(columns) as Array<[K, string]>) {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${flag} ${name}: no such column in ${path} (columns: ${header.join(', ')})`);
    out[flag] = rows.slice(1).map((r) => r[i] ?? '');
    // An empty text, question, answer or label has nothing to score: said, not scored as "".
    const blank = out[flag].findIndex((v) => v.trim() === '');
    if (blank >= 0) throw new Error(`${path}: data row ${blank + 1} has an empty ${name} (${flag})`);
  }
  return out;
}
