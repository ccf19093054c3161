#!/usr/bin/env node
// Cuts the small data-set fixtures the tests read (test/fixtures/datasets/) from the shared data sets,
// so that a clone of the repository passes `npm test` on its own.
//
//   node scripts/make-test-fixtures.mjs [--from <datasets>] [--out <dir>]
//
// --from defaults to $MOXING_DATASETS, else ../shared/datasets; --out to test/fixtures/datasets.
// Every cut is deterministic (a prefix of a file, its first rows, its first images), so the opt-in
// suite (`npm run test:data`) re-runs this script into a temporary folder and checks the committed
// fixtures are exactly what it makes. Each fixture folder gets the data set's PROVENANCE.txt, unchanged,
// below a header that says what was kept.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What each fixture keeps, by data set: the tests' needs, and no more. */
export const FIXTURES = {
  // Whole files: small, and the scikit-learn references (src/ml/fixtures) were computed on them whole.
  iris: [{ file: 'iris_sklearn.csv', keep: 'whole' }],
  diabetes: [{ file: 'diabetes_raw.csv', keep: 'whole' }],
  breast_cancer: [{ file: 'wdbc_diagnostic_sklearn.csv', keep: 'whole' }],
  digits: [{ file: 'digits_8x8.csv', keep: 'whole' }],
  boston_housing: [{ file: 'boston_MASS.csv', keep: 'whole' }],
  // The CLI tests fit on the first 600 rows.
  credit_data: [{ file: 'credit_data.csv', keep: 'rows', n: 600 }],
  // Text: the tokenizer tests take at most this many bytes of each (src/text/test-corpus.ts).
  jane_austen: [
    { file: 'emma.txt', keep: 'bytes', n: 300_000 },
    { file: 'prideprejudice.txt', keep: 'bytes', n: 200_000 },
  ],
  fortunes_zh: [{ file: 'chinese_fortunes.txt', keep: 'bytes', n: 300_000 }],
  chinese_poetry: [{ file: 'tang_shi.csv', keep: 'bytes', n: 200_000 }],
  moby_dick: [{ file: 'moby_dick.txt', keep: 'bytes', n: 70_000 }],
  debian_reference: [
    { file: 'debian_reference_en.txt', keep: 'bytes', n: 70_000 },
    { file: 'debian_reference_zh_cn.txt', keep: 'bytes', n: 100_000 },
  ],
  // Images: the first items of the stratified random subsets in small/ (so roughly balanced classes).
  fashion_mnist: [
    { file: 'labels.txt', keep: 'whole' },
    { file: 'small/train-images-idx3-ubyte.gz', keep: 'items', n: 600 },
    { file: 'small/train-labels-idx1-ubyte.gz', keep: 'items', n: 600 },
    { file: 'small/dev-images-idx3-ubyte.gz', keep: 'items', n: 200 },
    { file: 'small/dev-labels-idx1-ubyte.gz', keep: 'items', n: 200 },
  ],
};

/** The first `n` bytes, carried on to the end of that line (a whole last line, no cut character). */
function firstBytes(buf, n) {
  if (buf.length <= n) return buf;
  const nl = buf.indexOf(0x0a, n - 1);
  return nl < 0 ? buf : buf.subarray(0, nl + 1);
}

/** The header and the first `n` data rows (the files have no line breaks inside fields). */
function firstRows(buf, n) {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = buf.indexOf(0x0a, at + 1);
    if (at < 0) return buf;
  }
  return buf.subarray(0, at + 1);
}

/** The first `n` items of an IDX file (gzip in, gzip out): dimension 0 rewritten, the rest unchanged. */
function firstItems(gz, n, path) {
  const idx = gunzipSync(gz);
  if (idx[0] !== 0 || idx[1] !== 0) throw new Error(`${path}: not an IDX file`);
  if (idx[2] !== 0x08) throw new Error(`${path}: only uint8 IDX files are cut here`);
  const dims = idx[3];
  const view = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  let itemBytes = 1;
  for (let d = 1; d < dims; d++) itemBytes *= view.getUint32(4 + 4 * d);
  const count = view.getUint32(4);
  if (count < n) throw new Error(`${path}: has ${count} items, fewer than ${n}`);
  const head = 4 + 4 * dims;
  const out = Buffer.from(idx.subarray(0, head + n * itemBytes));
  out.writeUInt32BE(n, 4);
  // mtime 0 and a fixed level: the same input always gives the same bytes.
  return gzipSync(out, { level: 9 });
}

function describe(spec, kept, original) {
  const size = `${kept.length} of ${original.length} bytes`;
  switch (spec.keep) {
    case 'whole': return `  - ${spec.file}: the whole file, unchanged (${size})`;
    case 'rows': return `  - ${spec.file}: the header and the first ${spec.n} data rows, unchanged (${size})`;
    case 'bytes': return `  - ${spec.file}: the first ${spec.n} bytes, carried on to the end of that line (${size})`;
    case 'items': return `  - ${spec.file}: the first ${spec.n} items, dimension 0 rewritten to ${spec.n}, re-gzipped (${kept.length} bytes)`;
    default: throw new Error(`unknown cut ${spec.keep}`);
  }
}

/** Writes every fixture from `from` into `out`; returns the paths written, relative to `out`. */
export function makeFixtures(from, out) {
  const written = [];
  for (const [name, specs] of Object.entries(FIXTURES)) {
    const lines = [];
    for (const spec of specs) {
      const src = join(from, name, spec.file);
      const buf = readFileSync(src);
      const kept = spec.keep === 'whole' ? buf
        : spec.keep === 'rows' ? firstRows(buf, spec.n)
          : spec.keep === 'bytes' ? firstBytes(buf, spec.n)
            : firstItems(buf, spec.n, src);
      const dest = join(out, name, spec.file);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, kept);
      written.push(join(name, spec.file));
      lines.push(describe(spec, kept, buf));
    }
    const provenance = readFileSync(join(from, name, 'PROVENANCE.txt'), 'utf8');
    const header = [
      `moxing test fixture: a cut of the shared data set ${name}, made by scripts/make-test-fixtures.mjs.`,
      'Kept:',
      ...lines,
      `The data keep the data set's own licence (below), not moxing's; they are not part of the npm package.`,
      'The data set\'s PROVENANCE.txt follows, unchanged.',
      '',
      '----',
      '',
    ].join('\n');
    writeFileSync(join(out, name, 'PROVENANCE.txt'), header + provenance);
    written.push(join(name, 'PROVENANCE.txt'));
  }
  return written;
}

function arg(flag) {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const from = resolve(arg('--from') ?? process.env.MOXING_DATASETS ?? join(ROOT, '..', 'shared', 'datasets'));
  const out = resolve(arg('--out') ?? join(ROOT, 'test', 'fixtures', 'datasets'));
  if (!existsSync(from)) {
    console.error(`make-test-fixtures: no data sets at ${from} (set MOXING_DATASETS or pass --from)`);
    process.exit(1);
  }
  const files = makeFixtures(from, out);
  console.log(`wrote ${files.length} files under ${out}`);
}
