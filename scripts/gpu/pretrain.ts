// Pretraining on the lent GPU machine, inside one call (scripts/gpu/check.sh --train): the model's
// size is chosen there by the compute-optimal rule for the throughput measured there, then the run
// trains for what is left of the time (`pretrain --time-budget`) and is packed in BF16 for the trip
// back. A call lasts 10 minutes at most and a session's device time is 15, so nothing is sized in
// advance: a few steps of each candidate size are timed on the real data, and the largest candidate
// that still reads --tokens-per-param tokens per parameter in the time left (never more than
// --max-epochs passes over the carried tokens) is trained.
// Usage: node pretrain.mjs --data DIR --out DIR --minutes M [--sizes 4x256,6x256,6x320,7x320]
//   [--block 256] [--batch 32] [--lr 1e-3] [--tokens-per-param 20] [--max-epochs 4] [--precision auto|compare|fp32|mixed]

import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initDevices } from '../../src/backends/devices.js';
import { getDefaultDevice } from '../../src/tensor/device.js';
import { Rng } from '../../src/tensor/random.js';
import { setPrecision, type Precision } from '../../src/ops/precision.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { GPT } from '../../src/llm/gpt.js';
import type { GPTConfig } from '../../src/llm/config.js';
import { TokenLoader, readDataMeta } from '../../src/llm/data.js';
import { DEFAULT_TRAIN, gptOptimizer, pretrain, recordStep } from '../../src/llm/train.js';
import { loadRun, saveCheckpoint } from '../../src/llm/run-dir.js';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string' }, out: { type: 'string' }, minutes: { type: 'string' },
    // Up to 10M parameters: the three shipped models stay under ~60 MB together in BF16.
    sizes: { type: 'string', default: '4x256,6x256,6x320,7x320' },
    block: { type: 'string', default: '256' }, batch: { type: 'string', default: '32' }, lr: { type: 'string', default: '1e-3' },
    'tokens-per-param': { type: 'string', default: '20' }, 'max-epochs': { type: 'string', default: '4' },
    precision: { type: 'string', default: 'auto' }, 'eval-every': { type: 'string', default: '250' },
  },
});
if (!a.data || !a.out || !a.minutes) throw new Error('usage: pretrain.mjs --data DIR --out DIR --minutes M [options]');
const started = performance.now();
const budgetSeconds = Number(a.minutes) * 60;
const block = Number(a.block);
const batch = Number(a.batch);
const say = (line: string): void => { process.stdout.write(`${line}\n`); };

const device = await initDevices();
say(`device: ${device.description}`);
const meta = readDataMeta(a.data);
const f16 = getDefaultDevice().supportsF16 === true;
// compare: both timed whatever the adapter (mixed computes fp32 without f16: a rehearsal on SwiftShader).
if (!['auto', 'compare', 'fp32', 'mixed'].includes(a.precision!)) throw new Error(`--precision: auto, compare, fp32 or mixed, not '${a.precision}'`);
const precisions: Precision[] = a.precision === 'compare' || (a.precision === 'auto' && f16) ? ['mixed', 'fp32'] : a.precision === 'auto' ? ['fp32'] : [a.precision as Precision];

function configOf(size: string): GPTConfig {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new Error(`--sizes: expected layers x width (e.g. 6x384), got '${size}'`);
  const width = Number(m[2]);
  return { vocabSize: meta.vocabSize, blockSize: block, nLayer: Number(m[1]), nHead: Math.max(1, Math.round(width / 64)), nEmbd: width, dropout: 0, bias: true };
}

/** Training tokens/s of a config on the real data (2 warm steps, then 5 timed), and its last loss. */
async function probe(config: GPTConfig, precision: Precision): Promise<{ tps: number; loss: number; params: number }> {
  const model = new GPT(config, { seed: 0 });
  const params = model.parameters().reduce((s, p) => s + p.size, 0);
  const opt = gptOptimizer(model, { lr: Number(a.lr), weightDecay: 0.1 });
  const loader = new TokenLoader(a.data!, 'train');
  const rng = new Rng(1);
  setPrecision(precision);
  try {
    // As the training loop reads: fp32 steps are read one behind (the device keeps a step queued),
    // mixed-precision ones at once (the loss scaler needs each step's gradient norm).
    const step = (): Tensor => recordStep(model, opt, ...loader.batch(batch, block, rng));
    for (let i = 0; i < 2; i++) await step().item();
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < 5; i++) {
      const l = step();
      if (precision === 'mixed') await l.item();
      else if (last) await last.item();
      last = l;
    }
    const loss = await last!.item();
    return { tps: (5 * batch * block) / ((performance.now() - t0) / 1000), loss, params };
  } finally {
    setPrecision('fp32');
    loader.close();
  }
}

// The precision: with --precision auto on an adapter with f16 GEMMs, the largest size is timed in
// both and the faster with a finite loss is kept (tensor cores pay most there; the f16 casts may cost
// more than they save on small matrices).
const sizes = a.sizes!.split(',');
const probes: Array<{ size: string; params: number; tps: number; loss: number }> = [];
const largest = sizes.reduce((b, x) => { const p = (c: GPTConfig) => c.nLayer * c.nEmbd * c.nEmbd; return p(configOf(x)) > p(configOf(b)) ? x : b; });
let precision: Precision = precisions[0]!;
if (precisions.length > 1) {
  const timed = [];
  for (const p of precisions) {
    const r = await probe(configOf(largest), p);
    say(`probe ${largest} (${p}): ${(r.params / 1e6).toFixed(2)}M parameters, ${Math.round(r.tps)} tokens/s, loss ${r.loss.toFixed(3)}`);
    if (Number.isFinite(r.loss)) timed.push({ p, r });
  }
  if (!timed.length) throw new Error('the loss is not finite in any precision');
  const best = timed.reduce((b, x) => (x.r.tps > b.r.tps ? x : b));
  precision = best.p;
  probes.push({ size: largest, ...best.r });
  say(`precision: ${precision}`);
}
for (const size of sizes) {
  if (probes.some((p) => p.size === size)) continue;
  const r = await probe(configOf(size), precision);
  if (!Number.isFinite(r.loss)) { say(`${size}: loss ${r.loss}: left out`); continue; }
  probes.push({ size, ...r });
  say(`probe ${size} (${precision}): ${(r.params / 1e6).toFixed(2)}M parameters, ${Math.round(r.tps)} tokens/s, loss ${r.loss.toFixed(3)}`);
}
if (!probes.length) throw new Error('no size trained with a finite loss');

// The time left for the run, less what packing it takes; a tenth of the run goes to evaluations.
// Too little left still trains for 30 s: check.sh's timeout may then cut the run, and it sends the
// last checkpoint back instead.
const left = budgetSeconds - (performance.now() - started) / 1000 - 20;
if (left < 30) say(`only ${left.toFixed(0)} s left: training 30 s anyway`);
const runSeconds = Math.max(30, left);
const perParam = Number(a['tokens-per-param']);
const maxTokens = Number(a['max-epochs']) * meta.trainTokens;
const fits = probes.map((p) => ({ ...p, tokens: Math.min(maxTokens, 0.9 * p.tps * runSeconds) }));
const ok = fits.filter((p) => p.tokens >= perParam * p.params);
const pick = ok.length ? ok.reduce((b, p) => (p.params > b.params ? p : b)) : fits.reduce((b, p) => (p.params < b.params ? p : b));
say(`chosen ${pick.size}: ${(pick.params / 1e6).toFixed(2)}M parameters, about ${(pick.tokens / 1e6).toFixed(1)}M tokens in ${runSeconds.toFixed(0)} s (${(pick.tokens / pick.params).toFixed(1)} per parameter; rule ${perParam}, at most ${a['max-epochs']} passes over ${(meta.trainTokens / 1e6).toFixed(1)}M)`);

const run = join(a.out!, 'run');
const steps = Math.max(1, Math.floor(maxTokens / (batch * block)));
let lastLine = 0;
const result = await pretrain(
  {
    ...DEFAULT_TRAIN, dataDir: a.data!, maxSteps: steps, batchSize: batch, lr: Number(a.lr), minLr: Number(a.lr) / 10,
    warmupSteps: 100, evalEvery: Number(a['eval-every']), evalIters: 10, precision, timeBudgetSeconds: runSeconds,
  },
  configOf(pick.size), run,
  {
    onPlan: (p) => say(`plan: ${p.steps} steps (${p.stepSeconds.toFixed(3)} s a step, ${p.evalSeconds.toFixed(1)} s an evaluation and checkpoint)`),
    onStep: (m, total) => {
      if (m.valLoss === undefined && performance.now() - lastLine < 15_000) return;
      lastLine = performance.now();
      say(`step ${m.step}/${total || '?'} loss ${m.trainLoss.toFixed(4)}${m.valLoss !== undefined ? ` val ${m.valLoss.toFixed(4)}` : ''} ${Math.round(m.tokensPerSecond)} tok/s ${m.elapsedSeconds.toFixed(0)} s`);
    },
  },
);
say(`trained: step ${result.step}, train loss ${result.trainLoss.toFixed(4)}, validation ${result.valLoss?.toFixed(4) ?? '-'}`);

// BF16 weights, no optimizer state: a 12M-parameter model is 24 MB (check.sh splits it for the trip).
const loaded = await loadRun(run);
const packed = join(a.out!, 'packed');
await saveCheckpoint(packed, { config: loaded.config, tokenizer: loaded.tokenizer, model: loaded.model, dtype: 'BF16', state: loaded.state ?? undefined });
copyFileSync(join(run, 'metrics.jsonl'), join(packed, 'metrics.jsonl'));
writeFileSync(join(packed, 'probes.json'), JSON.stringify({ device: device.description, precision, probes, chosen: pick.size, runSeconds }, null, 2));
say(`packed in ${packed} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
process.exit(0);
