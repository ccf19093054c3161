import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextColumns } from './csv-columns.js';

test('readTextColumns: cells as written; a file with nothing to score, or text that is not UTF-8, is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-csv-columns-'));
  try {
    const w = (name: string, body: string | Buffer): string => { const p = join(dir, name); writeFileSync(p, body); return p; };
    const cols = { '--question-col': 'question', '--answer-col': 'answer' };
    assert.deepEqual(readTextColumns(w('ok.csv', 'question,answer\nSymbol of sodium?,Na\nOne?,1.0\n'), cols), { '--question-col': ['Symbol of sodium?', 'One?'], '--answer-col': ['Na', '1.0'] });
    assert.throws(() => readTextColumns(w('header.csv', 'question,answer\n'), cols), /header\.csv: no data rows after the header/);
    assert.throws(() => readTextColumns(w('blank.csv', 'question,answer\nA?,a\nB?, \n'), cols), /blank\.csv: data row 2 has an empty answer \(--answer-col\)/);
    assert.throws(() => readTextColumns(w('latin1.csv', Buffer.from('question,answer\ncaf\xe9?,a\n', 'latin1')), cols), /latin1\.csv: not valid UTF-8 \(first bad byte at offset 19\)/);
    assert.throws(() => readTextColumns(dir, cols), /is a directory, expected a CSV file/);
    assert.throws(() => readTextColumns(w('other.csv', 'q,a\nx,y\n'), cols), /--question-col question: no such column in .*other\.csv \(columns: q, a\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
