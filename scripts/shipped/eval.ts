// `npm run eval`: the evaluation table of the shipped models and their baselines, on data they did
// not train on, built from ../shared/datasets (held-out text, QA, choices, reviews) into .shipped/eval.
// Usage: node --experimental-wasm-relaxed-simd --import tsx scripts/shipped/eval.ts [--models a,b] [--quick] [--previous <dir>] [--sets-only]
// --previous <dir> adds rows for the models of the same names in <dir> (a copy of an earlier
// release's models/, e.g. from `git show`), labelled "<name> (previous)", so one table compares them.
// Prints a Markdown table (the README's) and keeps every result in .shipped/eval/results.jsonl.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { initBackends } from '../../src/backends/index.js';
import { Rng } from '../../src/tensor/random.js';
import { buildDocIndex } from '../../src/text/doc-index.js';
import { runEval, type EvalOptions, type EvalResult } from '../../src/eval/run-eval.js';

initBackends();
const root = process.cwd();
const shared = join(root, '..', 'shared', 'datasets');
const work = join(root, '.shipped', 'eval');
const quick = process.argv.includes('--quick');
const modelsArg = process.argv.indexOf('--models');
const models = modelsArg > 0 ? process.argv[modelsArg + 1].split(',') : ['moxing-base', 'moxing-chat', 'moxing-sentiment'];
const previousArg = process.argv.indexOf('--previous');
const previous = previousArg > 0 ? process.argv[previousArg + 1] : null;
const N = quick ? 40 : 200;
mkdirSync(work, { recursive: true });

type Row = Record<string, string>;
const csv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Row[];
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const writeCsv = (path: string, header: string[], rows: string[][]) => writeFileSync(path, `${header.join(',')}\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`);
/** Every k-th row, so a sample spreads over the whole file (the files are sorted by term or poem). */
const spread = <T>(a: T[], n: number): T[] => (a.length <= n ? a : Array.from({ length: n }, (_, i) => a[Math.floor((i * a.length) / n)]));

// Held-out text: the start of Moby-Dick (in neither corpus) and the Song ci of fortunes_zh (held out too).
const mobyPath = join(work, 'heldout.en.txt');
writeFileSync(mobyPath, readFileSync(join(shared, 'moby_dick', 'moby_dick.txt'), 'utf8').slice(0, quick ? 20_000 : 100_000));
const songPath = join(work, 'heldout.zh.txt');
writeFileSync(songPath, csv(join(shared, 'fortunes_zh', 'song100.csv')).map((r) => `${r.title}\n${r.author}\n${r.text}`).join('\n\n'));

// v1's pretraining text (scripts/shipped/build-corpus.ts): what the n-gram baselines count.
const v1 = join(root, '.shipped', 'corpus');
if (!existsSync(join(v1, 'qa.csv'))) execFileSync('node', ['--import', 'tsx', 'scripts/shipped/build-corpus.ts', v1], { stdio: 'inherit' });
const v1Text = join(work, 'v1-train.txt');
writeFileSync(v1Text, ['austen', 'brown', 'poems-zh', 'classics-zh', 'facts'].map((n) => readFileSync(join(v1, `${n}.txt`), 'utf8')).join('\n\n'));

// QA: the capital/element questions moxing-chat held back (its fine-tuning split: seed 0, 15%),
// WordNet definitions and Tang next lines (never fine-tuned on).
const qaAll = csv(join(v1, 'qa.csv'));
const order = new Rng(0).permutation(qaAll.length);
const held = Array.from(order.subarray(0, Math.round(qaAll.length * 0.15)), (i) => qaAll[i]);
const capPath = join(work, 'qa-capitals-elements.csv');
writeCsv(capPath, ['question', 'answer'], spread(held, N).map((r) => [r.question, r.answer]));
const defs = spread(csv(join(shared, 'qa_en', 'wordnet_definitions_qa.csv')), N);
const defPath = join(work, 'qa-definitions.csv');
writeCsv(defPath, ['question', 'answer'], defs.map((r) => [r.question, r.answer]));
const lines = spread(csv(join(shared, 'qa_zh', 'tang300_next_line_qa.csv')), N);
const linePath = join(work, 'qa-next-line.csv');
writeCsv(linePath, ['question', 'answer'], lines.map((r) => [r.question, r.answer]));

// Documents for qa --docs: the WordNet glossary, and the Tang 300 poems.
const tangDoc = join(work, 'tang300.txt');
writeFileSync(tangDoc, csv(join(shared, 'chinese_poetry', 'tang300_tagged.csv')).map((r) => `${r.title}\n${r.author}\n${r.text}`).join('\n\n'));
const glossIx = join(work, 'index-glossary');
const tangIx = join(work, 'index-tang300');
buildDocIndex([join(shared, 'wordnet', 'glossary_for_qa_terms.txt')], glossIx);
buildDocIndex([tangDoc], tangIx);

// Choice: the held-back capital questions with three wrong capitals each, and definitions with three wrong ones.
const rng = new Rng(1);
const choiceRows = (items: Row[], pool: string[]): string[][] => items.map((r) => {
  const wrong = new Set<string>();
  while (wrong.size < 3) {
    const w = pool[Math.floor(rng.next() * pool.length)];
    if (w !== r.answer) wrong.add(w);
  }
  const choices = [r.answer, ...wrong];
  const perm = rng.permutation(4);
  return [r.question, Array.from(perm, (k) => choices[k]).join('|'), r.answer];
});
const capitals = held.filter((r) => r.question.startsWith('What is the capital of'));
const capChoice = join(work, 'choice-capitals.csv');
// Wrong choices come from the held-back capitals too: drawn from the fine-tuning answers, they
// would be answers moxing-chat was trained to give, and it would pick them for that reason alone.
writeCsv(capChoice, ['question', 'choices', 'answer'], choiceRows(capitals, [...new Set(capitals.map((r) => r.answer))]));
const defChoice = join(work, 'choice-definitions.csv');
writeCsv(defChoice, ['question', 'choices', 'answer'], choiceRows(spread(defs, quick ? 40 : 100), [...new Set(defs.map((r) => r.answer))]));

// Sentiment: the 20% of the fine-food reviews moxing-sentiment held back (seed 0), the rest trains bag of words.
const reviews = csv(join(shared, 'fine_food_reviews', 'train.csv'));
const rOrder = new Rng(0).permutation(reviews.length);
const nVal = Math.round(reviews.length * 0.2);
const revHeld = join(work, 'reviews-heldout.csv');
const revTrain = join(work, 'reviews-train.csv');
writeCsv(revHeld, ['text', 'label'], Array.from(rOrder.subarray(0, nVal), (i) => [reviews[i].review, reviews[i].score]));
writeCsv(revTrain, ['text', 'label'], Array.from(rOrder.subarray(nVal), (i) => [reviews[i].review, reviews[i].score]));
// A second split, inside those 3,200: the one `finetune --val-fraction 0.2 --seed 0` draws from
// reviews-train.csv (scripts/shipped/sentiment-inner.sh compares recipes there, not on the held-out).
const trainRows = Array.from(rOrder.subarray(nVal), (i) => [reviews[i].review, reviews[i].score]);
const iOrder = new Rng(0).permutation(trainRows.length);
const nInner = Math.round(trainRows.length * 0.2);
writeCsv(join(work, 'reviews-inner-val.csv'), ['text', 'label'], Array.from(iOrder.subarray(0, nInner), (i) => trainRows[i]));
writeCsv(join(work, 'reviews-inner-train.csv'), ['text', 'label'], Array.from(iOrder.subarray(nInner), (i) => trainRows[i]));

// --sets-only: stop here (the training scripts use the held-out sets to keep them out of training).
if (process.argv.includes('--sets-only')) {
  console.log(`held-out sets in ${work}`);
  process.exit(0);
}

interface Spec { label: string; data: string; opts: Omit<EvalOptions, 'data'>; name?: string }
const has = (m: string) => models.includes(m);
/** The shipped models of these names that are evaluated: this release's, then the previous one's. */
const entries = (...names: string[]): { id: string; name: string }[] => [
  ...names.filter(has).map((n) => ({ id: n, name: n })),
  ...(previous ? names.filter((n) => existsSync(join(previous, n, 'config.json'))).map((n) => ({ id: join(previous, n), name: `${n} (previous)` })) : []),
];
const specs: Spec[] = [];
for (const [label, data] of [['held-out English (Moby-Dick)', mobyPath], ['held-out Chinese (Song ci)', songPath]] as const) {
  specs.push({ label, data, opts: { model: 'unigram', task: 'perplexity', train: v1Text } });
  specs.push({ label, data, opts: { model: 'bigram', task: 'perplexity', train: v1Text } });
  for (const m of entries('moxing-base', 'moxing-chat')) specs.push({ label, data, opts: { model: m.id, task: 'perplexity' }, name: m.name });
}
for (const [label, data] of [['capitals and element symbols (held back)', capPath], ['WordNet definitions', defPath], ['Tang poems: next line', linePath]] as const) {
  for (const m of entries('moxing-chat')) specs.push({ label: `${label}, closed book`, data, opts: { model: m.id, task: 'qa' }, name: m.name });
}
for (const [label, data, docs] of [['WordNet definitions', defPath, glossIx], ['Tang poems: next line', linePath, tangIx]] as const) {
  specs.push({ label: `${label}, --docs`, data, opts: { model: 'retrieval', task: 'qa', docs } });
  for (const m of entries('moxing-chat')) specs.push({ label: `${label}, --docs`, data, opts: { model: m.id, task: 'qa', docs }, name: m.name });
}
for (const [label, data] of [['capitals, 4 choices (held back)', capChoice], ['WordNet definitions, 4 choices', defChoice]] as const) {
  for (const m of entries('moxing-base', 'moxing-chat')) specs.push({ label, data, opts: { model: m.id, task: 'choice' }, name: m.name });
}
specs.push({ label: 'fine-food reviews (held back 20%)', data: revHeld, opts: { model: 'bow', task: 'classify', train: revTrain } });
for (const m of entries('moxing-sentiment')) specs.push({ label: 'fine-food reviews (held back 20%)', data: revHeld, opts: { model: m.id, task: 'classify' }, name: m.name });

const metric = (r: EvalResult): string => {
  switch (r.task) {
    case 'perplexity': return `${r.bitsPerByte.toFixed(3)} bits/byte (${r.tokens} tokens, ${r.nll.toFixed(3)} nats/token)`;
    case 'qa': return `EM ${r.exactMatch.toFixed(3)}, F1 ${r.f1.toFixed(3)}, contains ${r.contains.toFixed(3)} (n ${r.n})`;
    case 'choice': return `accuracy ${r.accuracy.toFixed(3)} (n ${r.n})`;
    case 'classify': return `accuracy ${r.accuracy.toFixed(3)}, macro F1 ${r.f1.toFixed(3)} (n ${r.n})`;
  }
};
const baselineName: Record<string, string> = { unigram: 'unigram (v1 text)', bigram: 'bigram (v1 text)', bow: 'bag-of-words logistic regression', retrieval: 'retrieval alone (best sentence)' };
const out: string[] = ['| task | data | model | result |', '|---|---|---|---|'];
const results: string[] = [];
const t0 = Date.now();
for (const [i, s] of specs.entries()) {
  const t = Date.now();
  const r = await runEval({ ...s.opts, data: s.data });
  const name = s.name ?? baselineName[s.opts.model] ?? s.opts.model;
  results.push(JSON.stringify({ data: s.label, model: name, ...r }));
  out.push(`| ${r.task} | ${s.label} | ${name} | ${metric(r)} |`);
  process.stderr.write(`eval [${i + 1}/${specs.length}] ${s.opts.task} ${name} on ${s.label}: ${metric(r)} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
}
writeFileSync(join(work, 'results.jsonl'), `${results.join('\n')}\n`);
process.stdout.write(`${out.join('\n')}\n\n(${specs.length} runs, ${((Date.now() - t0) / 60000).toFixed(1)} min)\n`);
