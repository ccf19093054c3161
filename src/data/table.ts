// Typed tables: named numeric and categorical columns with missing values, as read from CSV.

/** A numeric column; missing values are NaN. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

/** A categorical (string) column; missing values are null. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly values: readonly (string | null)[];
}

/** One column of a {@link Table}. */
export type Column = NumericColumn | CategoricalColumn;

/** Columns of equal length. */
export interface Table {
  readonly columns: readonly Column[];
  readonly nRows: number;
}

/**
 * Builds a table and checks the columns have the same length and distinct names.
 * @example table([{ kind: 'numeric', name: 'x', values: Float64Array.of(1, 2) }]).nRows; // 2
 */
export function table(columns: readonly Column[]): Table {
  const nRows = columns.length > 0 ? columns[0]!.values.length : 0;
  const seen = new Set<string>();
  for (const c of columns) {
    if (c.values.length !== nRows) throw new Error(`column '${c.name}' has ${c.values.length} rows, expected ${nRows}`);
    if (seen.has(c.name)) throw new Error(`duplicate column name '${c.name}'`);
    seen.add(c.name);
  }
  return { columns, nRows };
}

/**
 * The column called `name`; throws a clear error listing the known columns.
 * @example column(t, 'Sale_Price').kind; // 'numeric'
 */
export function column(t: Table, name: string): Column {
  const c = t.columns.find((col) => col.name === name);
  if (!c) {
    const names = t.columns.map((col) => col.name);
    const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, ... (${names.length} columns)` : names.join(', ');
    throw new Error(`unknown column '${name}'; columns are: ${shown}`);
  }
  return c;
}

/**
 * The table without the named columns.
 * @example dropColumns(t, ['Sale_Price']);
 */
export function dropColumns(t: Table, names: readonly string[]): Table {
  return table(t.columns.filter((c) => !names.includes(c.name)));
}

/**
 * The table with only the named columns, in that order (errors name a missing column).
 * @example selectColumns(t, ['a', 'b']);
 */
export function selectColumns(t: Table, names: readonly string[]): Table {
  return table(names.map((n) => column(t, n)));
}

/**
 * The rows at `idx` (in that order).
 * @example takeTableRows(t, [0, 2]).nRows; // 2
 */
export function takeTableRows(t: Table, idx: ArrayLike<number>): Table {
  const cols = t.columns.map((c): Column => {
    if (c.kind === 'numeric') return { kind: 'numeric', name: c.name, values: Float64Array.from({ length: idx.length }, (_, i) => c.values[idx[i]!]!) };
    return { kind: 'categorical', name: c.name, values: Array.from({ length: idx.length }, (_, i) => c.values[idx[i]!]!) };
  });
  return { columns: cols, nRows: idx.length };
}

/**
 * Number of missing values in a column.
 * @example missingCount({ kind: 'numeric', name: 'x', values: Float64Array.of(NaN, 1) }); // 1
 */
export function missingCount(c: Column): number {
  let m = 0;
  if (c.kind === 'numeric') { for (const v of c.values) if (Number.isNaN(v)) m++; }
  else for (const v of c.values) if (v === null) m++;
  return m;
}
