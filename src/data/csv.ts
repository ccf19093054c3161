// CSV files to typed tables (csv-parse): numeric and categorical columns, missing values, clear errors.

import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { firstInvalidUtf8 } from '../text/utf8.js';
import { table, type Column, type Table } from './table.js';

/** Cell texts read as missing values (after trimming). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  delimiter?: string;
  /** Columns to read as categorical even when every value is a number (e.g. codes). */
  categorical?: readonly string[];
  /** Name used in error messages. */
  source?: string;
}

/** An error in a CSV file, with the line it happened on when known. */
export class CsvError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Whether a CSV cell reads as a number (what makes a column numeric). */
export function isNumber(s: string): boolean {
  // Number('') is 0 and Number('0x1') is 1: accept plain decimal notation only.
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || s === 'Inf' || s === '-Inf';
}

/**
 * Parses CSV text with a header row into a typed table: a column whose non-missing cells are all
 * numbers is numeric (missing -> NaN), any other column is categorical (missing -> null).
 * @example parseCsv('a,b\n1,x\nNA,y\n').columns[0].values; // Float64Array [1, NaN]
 */
export function parseCsv(text: string, opts: CsvOptions = {}): Table {
  const source = opts.source ?? 'CSV';
  let records: string[][];
  try {
    records = parse(text, { delimiter: opts.delimiter ?? ',', bom: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
  } catch (err) {
    const e = err as { code?: string; lines?: number; record?: unknown[]; message?: string };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH') {
      const got = Array.isArray(e.record) ? e.record.length : '?';
      const expected = /expect (\d+)/.exec(e.message ?? '')?.[1] ?? 'a different number';
      throw new CsvError(`${source}: line ${e.lines}: ragged row with ${got} fields (the header has ${expected})`, e.lines);
    }
    throw new CsvError(`${source}: ${e.message ?? String(err)}`, e.lines);
  }
  if (records.length === 0) throw new CsvError(`${source}: empty file (no header row)`);
  const header = records[0]!.map((h) => h.trim());
  const rows = records.slice(1);
  if (rows.length === 0) throw new CsvError(`${source}: no data rows after the header`);
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new CsvError(`${source}: line 1: empty column name in the header`, 1);
    if (seen.has(h)) throw new CsvError(`${source}: line 1: duplicate column name '${h}'`, 1);
    seen.add(h);
  }
  const forced = new Set(opts.categorical ?? []);
  // A misspelt name would leave a code column read as numbers.
  for (const name of forced) if (!header.includes(name)) throw new CsvError(`${source}: categorical column '${name}' is not in the header (columns: ${header.join(', ')})`);
  const columns: Column[] = header.map((name, j) => {
    const cells = rows.map((r) => r[j]!.trim());
    const numeric = !forced.has(name) && cells.every((c) => MISSING_TOKENS.has(c) || isNumber(c));
    if (numeric) {
      const values = Float64Array.from(cells, (c) => (MISSING_TOKENS.has(c) ? NaN : c === 'Inf' ? Infinity : c === '-Inf' ? -Infinity : Number(c)));
      return { kind: 'numeric', name, values };
    }
    // Category labels keep their text but not surrounding spaces ("WD " and "WD" are one category).
    return { kind: 'categorical', name, values: cells.map((c) => (MISSING_TOKENS.has(c) ? null : c)) };
  });
  return table(columns);
}

/**
 * Reads a CSV file into a typed table (see {@link parseCsv}); errors name the file.
 * @example const t = readCsv('examples/ames_housing/ames.csv');
 */
export function readCsv(path: string, opts: Omit<CsvOptions, 'source'> = {}): Table {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CsvError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`);
  }
  // Decoding would turn bad bytes into U+FFFD silently (a column named by replacement characters):
  // refuse them, as the tokenizer does. A Latin-1 or UTF-16 export is the usual cause.
  if (!isUtf8(bytes)) throw new CsvError(`${path}: not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  return parseCsv(bytes.toString('utf8'), { ...opts, source: path });
}
