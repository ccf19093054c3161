// The GPT analyses end to end on tiny models: a scaling sweep (laws, held-out size, reuse on rerun),
// a GPT validation curve with early stopping, the sentiment comparison, and the CLI's JSON shapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Tokenizer } from '../text/tokenizer.js';
import { prepareData } from '../llm/data.js';
import { GPT } from '../llm/gpt.js';
import { saveCheckpoint, RUN_FORMAT } from '../llm/run-dir.js';
import type { GPTConfig } from '../llm/config.js';
import { table } from '../data/table.js';
import { configForSize, scaleSweep } from './scale.js';
import { gptValidationCurve } from './gpt-curves.js';
import { compareSentiment } from './compare.js';
import { scaleSvg } from './plots.js';
import { registerCurve } from '../cli/commands/curve.js';
import { registerReport } from '../cli/commands/report.js';

const tmp = mkdtempSync(join(tmpdir(), 'moxing-analysis-'));
process.env.MOXING_HOME = join(tmp, 'home');
process.env.MOXING_TRACKING = '0';

const words = ['tea', 'cake', 'coffee', 'bread', 'jam', 'soup', 'rice', 'fish'];
const texts: string[] = [];
const labels: string[] = [];
for (let i = 0; i < 120; i++) {
  const good = i % 2 === 0;
  texts.push(`the ${words[i % 8]} was ${good ? 'great and lovely' : 'awful and stale'} with ${words[(i * 3) % 8]}`);
  labels.push(good ? 'great' : 'other');
}
const corpus = join(tmp, 'corpus.txt');
writeFileSync(corpus, texts.join('\n'));
const tokenizer = Tokenizer.train([...texts, 'Question: Answer: which of'], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
const dataDir = join(tmp, 'data');
prepareData([corpus], tokenizer, dataDir, { valFraction: 0.2 });

test('configForSize lands near the target and keeps heads valid', () => {
  for (const n of [1e4, 1e5, 1e6]) {
    const c = configForSize(n, { vocabSize: 512, blockSize: 64 });
    assert.equal(c.nEmbd % c.nHead, 0);
    const nonEmb = 12 * c.nLayer * c.nEmbd * c.nEmbd;
    assert.ok(nonEmb / n > 0.6 && nonEmb / n < 1.6, `${n}: ${JSON.stringify(c)}`);
  }
});

test('configForSize grows depth and width together along a sweep (no deep-narrow then shallow-wide)', () => {
  const shapes = [5e4, 1e5, 2e5, 5e5, 1e6, 2e6].map((n) => configForSize(n, { vocabSize: 512, blockSize: 64 }));
  assert.deepEqual(shapes.map((c) => `${c.nLayer}x${c.nEmbd}`), ['2x48', '2x64', '3x80', '4x96', '5x128', '7x160']);
  for (let i = 1; i < shapes.length; i++) {
    assert.ok(shapes[i]!.nLayer >= shapes[i - 1]!.nLayer && shapes[i]!.nEmbd > shapes[i - 1]!.nEmbd);
  }
});

test('a tiny scaling sweep: runs, L(N) fit, a held-out size, a plot; a rerun reuses the runs', async () => {
  const outDir = join(tmp, 'scale');
  const o = { dataDir, sizes: [7e3, 1.3e4, 2.5e4, 5e4], budgets: [1536], isoflop: false, outDir, blockSize: 16, batchSize: 4, evalIters: 2 };
  const r = await scaleSweep(o);
  assert.equal(r.runs.length, 4);
  assert.ok(r.runs.every((x) => x.tokens === 1536 && Number.isFinite(x.valLoss)));
  assert.ok(r.runs[3]!.n > r.runs[0]!.n * 4);
  assert.ok(r.fit && Number.isFinite(r.fit.alpha));
  assert.ok(r.heldOut && r.heldOut.n === r.runs[3]!.n && Number.isFinite(r.heldOut.relativeError));
  assert.ok(existsSync(join(outDir, 'scale.json')));
  assert.match(scaleSvg(r), /^<svg/);
  const again = await scaleSweep(o);
  assert.deepEqual(again.runs.map((x) => x.valLoss), r.runs.map((x) => x.valLoss));
});

test('a GPT validation curve over width, with early stopping available', async () => {
  const r = await gptValidationCurve('nEmbd', [16, 32], { dataDir, params: { nLayer: 1, blockSize: 16, batchSize: 4, maxSteps: 6, evalEvery: 2, evalIters: 2 }, patience: 1 });
  assert.equal(r.metric, 'loss');
  assert.equal(r.higherIsBetter, false);
  assert.equal(r.train.length, 2);
  assert.ok(r.parameters[1]! > r.parameters[0]!);
  assert.ok(typeof r.verdict === 'string' && r.verdict.length > 0);
});

test('compare sentiment: classical rows and the GPT zero-shot and fine-tuned on the same split', async () => {
  const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
  const baseDir = join(tmp, 'base');
  await saveCheckpoint(baseDir, { config: { format: RUN_FORMAT, kind: 'gpt', model: config, createdAt: '' }, tokenizer, model: new GPT(config, { seed: 1 }) });
  const t = table([{ name: 'review', kind: 'categorical', values: texts }, { name: 'score', kind: 'categorical', values: labels }]);
  const r = await compareSentiment(t, { baseDir, epochs: 1, maxTrainRows: 48, maxValidationRows: 12, lr: 3e-3 });
  assert.deepEqual(r.models.map((m) => m.family), ['classical', 'classical', 'classical', 'foundation', 'foundation']);
  assert.equal(r.trainRows + r.validationRows, 120);
  const nb = r.models[0]!;
  assert.ok(nb.validationScore > 0.9, `naive Bayes on a separable task: ${nb.validationScore}`);
  assert.ok(r.models.every((m) => m.parameters > 0 && m.validationScore >= 0 && m.validationScore <= 1));
  assert.equal(r.models[3]!.trainFlops, 0); // zero-shot trains nothing
  assert.ok(r.models[4]!.trainFlops > 0);
  assert.match(r.verdict, /best validation accuracy/);
});

test('CLI: curve validation --json has the documented shape; report writes markdown with plots', async () => {
  const rows = 60;
  const x = Float64Array.from({ length: rows }, (_, i) => (i * 7) % 13);
  const y = Array.from({ length: rows }, (_, i) => ((i * 7) % 13 > 6) !== (i % 5 === 0) ? 'a' : 'b');
  const csv = join(tmp, 't.csv');
  writeFileSync(csv, `x,y\n${Array.from(x, (v, i) => `${v},${y[i]}`).join('\n')}\n`);
  let out = '';
  const io = { write: (s: string) => { out += s; } };
  const program = new Command().exitOverride();
  registerCurve(program, io);
  registerReport(program, io);
  await program.parseAsync(['node', 'moxing', 'curve', 'validation', csv, '--target', 'y', '--model', 'tree', '--param', 'maxDepth=1..4', '--folds', '3', '--out', join(tmp, 'c.svg'), '--json']);
  const j = JSON.parse(out) as Record<string, unknown>;
  for (const k of ['param', 'values', 'train', 'validation', 'parameters', 'best', 'verdict']) assert.ok(k in j, `missing ${k}`);
  assert.equal(j.param, 'maxDepth');
  assert.deepEqual(j.values, [1, 2, 3, 4]);
  assert.ok(readFileSync(join(tmp, 'c.svg'), 'utf8').startsWith('<svg'));
  out = '';
  await program.parseAsync(['node', 'moxing', 'report', '--out', join(tmp, 'r', 'report.md')]);
  const md = readFileSync(join(tmp, 'r', 'report.md'), 'utf8');
  assert.match(md, /Complexity against generalization/);
  assert.match(md, /\| maxDepth \|/);
  assert.ok(existsSync(join(tmp, 'r', 'report-validation-curve.svg')));
});
