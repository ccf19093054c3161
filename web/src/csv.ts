// CSV to rows (RFC 4180: quoted fields, doubled quotes, CRLF), for uploads to classical models.

/**
 * Parses CSV text into records (the first line names the columns); empty cells become null.
 * @example parseCsv('a,b\n1,"x, y"\n'); // { columns: ['a', 'b'], rows: [{ a: '1', b: 'x, y' }] }
 */
export function parseCsv(text: string): { columns: string[]; rows: Record<string, string | null>[] } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM from spreadsheet exports
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { record.push(field); field = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += ch;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  const [header, ...body] = records;
  if (!header) throw new Error('the CSV is empty');
  const columns = header.map((c) => c.trim());
  const rows = body.map((r, i) => {
    if (r.length !== columns.length) throw new Error(`line ${i + 2} has ${r.length} fields, the header has ${columns.length}`);
    return Object.fromEntries(columns.map((c, j) => [c, r[j] === '' ? null : r[j]!]));
  });
  return { columns, rows };
}

/** Rows back to CSV text (quoting where needed). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
