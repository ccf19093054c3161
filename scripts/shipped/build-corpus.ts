// Builds the text the shipped moxing-base model is pretrained on, from ../shared/datasets:
// Jane Austen's novels, the Brown corpus, Tang poems and the Analects/Book of Songs, and plain
// statements of the capital and element facts that moxing-chat is later asked about.
// Usage: node --import tsx scripts/shipped/build-corpus.ts <out-dir>

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const shared = join(process.cwd(), '..', 'shared', 'datasets');
const out = process.argv[2] ?? '.shipped/corpus';
mkdirSync(out, { recursive: true });

function csv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(join(shared, path), 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Array<Record<string, string>>;
}

// English prose
const austen = ['emma', 'mansfieldpark', 'northangerabbey', 'prideprejudice', 'sensesensibility']
  .map((n) => readFileSync(join(shared, 'jane_austen', `${n}.txt`), 'utf8'));
writeFileSync(join(out, 'austen.txt'), austen.join('\n\n'));
writeFileSync(join(out, 'brown.txt'), csv('brown_corpus/brown.csv').map((r) => r.text).join('\n\n'));

// Chinese poetry and classics: the Tang 300 in full, then the larger Tang collection up to ~2.5 MB
const tang300 = csv('chinese_poetry/tang300_tagged.csv').map((r) => `${r.title}\n${r.author}\n${r.text}`);
const tang: string[] = [];
let bytes = 0;
for (const r of csv('chinese_poetry/tang_shi.csv')) {
  const poem = `${r.title}\n${r.author}\n${r.text}`;
  bytes += Buffer.byteLength(poem);
  if (bytes > 2_500_000) break;
  tang.push(poem);
}
writeFileSync(join(out, 'poems-zh.txt'), [...tang300, ...tang].join('\n\n'));
writeFileSync(join(out, 'classics-zh.txt'), ['chinese_poetry/lunyu.txt', 'chinese_poetry/shijing.txt'].map((p) => readFileSync(join(shared, p), 'utf8')).join('\n\n'));

// Facts as statements (pretraining knowledge); the QA pairs themselves are for fine-tuning.
const facts: string[] = [];
for (const file of ['country_capitals_qa.csv', 'us_state_capitals_qa.csv']) {
  for (const r of csv(`qa_en/${file}`)) {
    const m = /^What is the capital of (.+)\?$/.exec(r.question);
    if (!m) continue;
    facts.push(`The capital of ${m[1]} is ${r.answer}.`, `${r.answer} is the capital of ${m[1]}.`);
  }
}
for (const r of csv('qa_en/elements_qa.csv')) {
  let m = /^What is the chemical symbol of (.+)\?$/.exec(r.question);
  if (m) { facts.push(`The chemical symbol of ${m[1]} is ${r.answer}.`); continue; }
  m = /^Which element has the symbol (.+)\?$/.exec(r.question);
  if (m) { facts.push(`The element with the symbol ${m[1]} is ${r.answer}.`); continue; }
  m = /^What is the atomic number of (.+)\?$/.exec(r.question);
  if (m) facts.push(`The atomic number of ${m[1]} is ${r.answer}.`);
}
// Ten shuffled passes, so each fact appears in several contexts.
const passes: string[] = [];
for (let p = 0; p < 10; p++) {
  const order = facts.map((f, i) => ({ f, k: Math.sin(i * 12.9898 + p * 78.233) }));
  order.sort((a, b) => a.k - b.k);
  passes.push(order.map((o) => o.f).join(' '));
}
writeFileSync(join(out, 'facts.txt'), passes.join('\n\n'));

// Fine-tuning sets: QA (capitals and element symbols) and sentiment reviews
const qa: string[] = ['question,answer'];
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
for (const file of ['country_capitals_qa.csv', 'us_state_capitals_qa.csv', 'elements_qa.csv']) {
  for (const r of csv(`qa_en/${file}`)) {
    if (r.answer.length > 40) continue; // element descriptions are long prose: not short-answer QA
    qa.push(`${quote(r.question)},${quote(r.answer)}`);
  }
}
writeFileSync(join(out, 'qa.csv'), `${qa.join('\n')}\n`);
console.log(`${out}: ${facts.length} facts, ${qa.length - 1} QA pairs`);
