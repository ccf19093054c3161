// The small CNN on Fashion-MNIST (shared small split: 10,000 train, 2,000 dev) and digits (8x8), with an MLP baseline.
// Usage: node --import tsx bench/cnn.ts [--only fashion,digits] [--epochs 10] [--train 10000] [--threads 1]

import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackends, getThreads, setThreads } from '../src/backends/index.js';
import { availableBackends } from '../src/backends/registry.js';
import { readIdx } from '../src/data/idx.js';
import { readCsv } from '../src/data/csv.js';
import { column, dropColumns } from '../src/data/table.js';
import { trainTestSplit } from '../src/data/split.js';
import { CNNClassifier, type CNNClassifierParams } from '../src/ml/cnn.js';
import { MLPClassifier } from '../src/ml/mlp.js';
import { takeRows, take, type Matrix } from '../src/ml/matrix.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'datasets');

function arg(name: string): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : null;
}

/** Images as rows scaled to [0, 1], labels as numbers. */
function fashion(part: 'train' | 'dev', limit: number): { X: Matrix; y: Float64Array } {
  const dir = join(DATA, 'fashion_mnist', 'small');
  const images = readIdx(join(dir, `${part}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(dir, `${part}-labels-idx1-ubyte.gz`));
  const n = Math.min(limit, images.shape[0]!);
  const d = images.shape[1]! * images.shape[2]!;
  return { X: { data: Float64Array.from(images.data.subarray(0, n * d), (v) => v / 255), rows: n, cols: d }, y: Float64Array.from(labels.data.subarray(0, n)) };
}

function digits(): { Xtr: Matrix; ytr: Float64Array; Xte: Matrix; yte: Float64Array } {
  const t = readCsv(join(DATA, 'digits', 'digits_8x8.csv'));
  const y = column(t, 'label').values as Float64Array;
  const feats = dropColumns(t, ['label']);
  const n = t.nRows;
  const X: Matrix = { data: new Float64Array(n * 64), rows: n, cols: 64 };
  feats.columns.forEach((c, j) => { for (let i = 0; i < n; i++) X.data[i * 64 + j] = (c.values as Float64Array)[i]! / 16; });
  // The split of bench:classical: stratified 75/25, seed 0.
  const { train, test } = trainTestSplit(n, { testSize: 0.25, seed: 0, stratify: Array.from(y) });
  return { Xtr: takeRows(X, train), ytr: take(y, train), Xte: takeRows(X, test), yte: take(y, test) };
}

interface Row { dataset: string; model: string; train: number; test: number; epochs: number; accuracy: number; seconds: number }

function run(dataset: string, model: string, make: () => CNNClassifier | MLPClassifier, Xtr: Matrix, ytr: Float64Array, Xte: Matrix, yte: Float64Array): Row {
  const t0 = performance.now();
  const m = make().fit(Xtr, ytr);
  const seconds = (performance.now() - t0) / 1000;
  const accuracy = m.score(Xte, yte);
  const row = { dataset, model, train: Xtr.rows, test: Xte.rows, epochs: m.state.nIter, accuracy, seconds };
  process.stderr.write(`${dataset} ${model}: accuracy ${(100 * accuracy).toFixed(2)} after ${row.epochs} epochs, ${seconds.toFixed(1)} s\n`);
  return row;
}

function main(): void {
  initBackends();
  if (arg('threads')) setThreads(Number(arg('threads')));
  process.stderr.write(`backends ${availableBackends().join(' > ')}, ${getThreads()} threads\n`);
  const only = arg('only')?.split(',') ?? ['fashion', 'digits'];
  const epochs = Number(arg('epochs') ?? 10);
  const rows: Row[] = [];
  // No early stop on the training loss: a fixed number of epochs, as stated in the table.
  const fixed = { maxIter: epochs, nIterNoChange: epochs, seed: 0 };
  if (only.includes('fashion')) {
    const tr = fashion('train', Number(arg('train') ?? 10000));
    const te = fashion('dev', 2000);
    const cnn: Partial<CNNClassifierParams> = { imageShape: [1, 28, 28], channels: [16, 32], kernelSize: 3, batchSize: 32, ...fixed };
    rows.push(run('fashion_mnist', 'CNN conv16-conv32', () => new CNNClassifier(cnn), tr.X, tr.y, te.X, te.y));
    rows.push(run('fashion_mnist', 'MLP 256', () => new MLPClassifier({ hiddenLayerSizes: [256], batchSize: 32, ...fixed }), tr.X, tr.y, te.X, te.y));
  }
  if (only.includes('digits')) {
    const d = digits();
    const e = Math.max(epochs, 30);
    const cnn: Partial<CNNClassifierParams> = { imageShape: [1, 8, 8], channels: [16, 32], kernelSize: 3, batchSize: 32, ...fixed, maxIter: e, nIterNoChange: e };
    rows.push(run('digits', 'CNN conv16-conv32', () => new CNNClassifier(cnn), d.Xtr, d.ytr, d.Xte, d.yte));
    rows.push(run('digits', 'MLP 100', () => new MLPClassifier({ batchSize: 32, ...fixed, maxIter: e, nIterNoChange: e }), d.Xtr, d.ytr, d.Xte, d.yte));
  }
  console.log('| dataset | model | train rows | test rows | epochs | test accuracy | fit s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.dataset} | ${r.model} | ${r.train} | ${r.test} | ${r.epochs} | ${(100 * r.accuracy).toFixed(2)} | ${r.seconds.toFixed(1)} |`);
}

main();
