// Text columns of a CSV file exactly as written (no number or missing-value typing: an answer such
// as "Na" or "1.0" must stay what it is), with errors that name the flag and the file.

import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * The named columns of a CSV file with a header row.
 * @example readTextColumns('qa.csv', { '--question-col': 'question', '--answer-col': 'answer' })
 */
export function readTextColumns<K extends string>(path: string, columns: Record<K, string>): Record<K, string[]> {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  let rows: string[][];
  try {
    rows = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true, relax_column_count: true, bom: true }) as string[][];
  } catch (err) {
    throw new Error(`${path}: not valid CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) throw new Error(`${path}: empty (expected a header row)`);
  const header = rows[0].map((h) => h.trim());
  const out = {} as Record<K, string[]>;
  for (const [flag, name] of Object.entries(columns) as Array<[K, string]>) {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${flag} ${name}: no such column in ${path} (columns: ${header.join(', ')})`);
    out[flag] = rows.slice(1).map((r) => r[i] ?? '');
  }
  return out;
}
