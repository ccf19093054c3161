// Reading-comprehension pairs for fine-tuning a chat model to answer from retrieved documents: each
// shared qa_en definition and qa_zh next-line question, with the context `moxing ask --docs` would
// give it (BM25 passages from the glossary or the Tang 300, fitted to the model's context), and its
// answer. The rows `npm run eval` scores are left out. The pairs come only from the shared splits.
// With --closed-book every question appears a second time with no passage, so the model also learns
// to answer from what pretraining taught it (closed book).
// Usage: node --import tsx scripts/shipped/make-docs-qa.ts <out.csv> [--block-size 128] [--tokenizer models/moxing-base/tokenizer.json] [--closed-book]

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Tokenizer } from '../../src/text/tokenizer.js';
import { DocIndex } from '../../src/text/doc-index.js';
import { contextQuestion, fitContext } from '../../src/llm/docs-ask.js';
import { DEFAULT_CHAT_TEMPLATE, renderChat } from '../../src/llm/chat.js';
import { Rng } from '../../src/tensor/random.js';

const args = process.argv.slice(2);
const out = args[0] ?? '.shipped/docs-qa.csv';
const flag = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
const blockSize = Number(flag('--block-size', '128'));
const tokenizer = Tokenizer.fromFile(flag('--tokenizer', 'models/moxing-base/tokenizer.json'));
const closedBook = args.includes('--closed-book');
const maxNew = 48; // as askWithDocs: the reply's budget
const shared = join(process.cwd(), '..', 'shared', 'datasets');
type Row = Record<string, string>;
const csv = (p: string): Row[] => parse(readFileSync(join(shared, p), 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Row[];
// The rows scripts/shipped/eval.ts samples (every k-th of N = 200), kept out of training.
const evalRows = (n: number, k = 200): Set<number> => new Set(n <= k ? [] : Array.from({ length: k }, (_, i) => Math.floor((i * n) / k)));

const gloss = DocIndex.fromTexts([{ source: 'glossary', text: readFileSync(join(shared, 'wordnet', 'glossary_for_qa_terms.txt'), 'utf8') }]);
const tang = DocIndex.fromTexts([{ source: 'tang300', text: csv('chinese_poetry/tang300_tagged.csv').map((r) => `${r.title}\n${r.author}\n${r.text}`).join('\n\n') }]);

const pairs: string[][] = [];
let missed = 0;
for (const [file, index] of [['qa_en/wordnet_definitions_qa.csv', gloss], ['qa_zh/tang300_next_line_qa.csv', tang]] as const) {
  const rows = csv(file);
  const held = evalRows(rows.length);
  rows.forEach((r, i) => {
    if (held.has(i)) return;
    const passages = index.search(r.question, 3);
    const frame = tokenizer.encode(renderChat([{ role: 'user', content: contextQuestion('x', r.question) }], DEFAULT_CHAT_TEMPLATE), { allowSpecial: false }).length;
    const context = fitContext(tokenizer, r.question, passages, blockSize - maxNew - frame);
    if (!context.includes(r.answer)) missed++;
    pairs.push([contextQuestion(context, r.question), r.answer]);
    if (closedBook) pairs.push([r.question, r.answer]);
  });
}
// Shuffled, so English and Chinese pairs mix within batches.
const order = new Rng(0).permutation(pairs.length);
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `question,answer\n${Array.from(order, (i) => pairs[i].map(quote).join(',')).join('\n')}\n`);
console.log(`${out}: ${pairs.length} pairs; the answer is not in the context for ${missed} (${((100 * missed) / pairs.length).toFixed(1)}%)`);
