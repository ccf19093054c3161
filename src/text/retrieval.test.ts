import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkText, splitSentences } from './chunk.js';
import { Bm25Index, bm25Terms } from './bm25.js';
import { htmlToText, decodeEntities } from './html-text.js';
import { bestSentence, extractAnswer } from './extract-answer.js';
import { buildDocIndex, DocIndex } from './doc-index.js';

test('sentences split on English and CJK punctuation and line breaks', () => {
  assert.deepEqual(splitSentences('One. Two!\n三。四').map((s) => s.text), ['One.', 'Two!', '三。', '四']);
  const text = 'Alpha beta. Gamma.';
  for (const s of splitSentences(text)) assert.equal(text.slice(s.start, s.start + s.text.length), s.text);
});

test('chunks respect paragraphs, size and overlap', () => {
  assert.deepEqual(chunkText('A. B.\n\nC.', { maxChars: 400, overlapSentences: 0 }).map((c) => c.text), ['A. B.', 'C.']);
  const text = 'Aaaa aaaa. Bbbb bbbb. Cccc cccc. Dddd dddd.';
  const chunks = chunkText(text, { maxChars: 22, overlapSentences: 1 });
  assert.deepEqual(chunks.map((c) => c.text), ['Aaaa aaaa. Bbbb bbbb.', 'Bbbb bbbb. Cccc cccc.', 'Cccc cccc. Dddd dddd.']);
  for (const c of chunks) assert.equal(text.slice(c.start, c.start + 9), c.text.slice(0, 9));
  assert.throws(() => chunkText('x', { maxChars: 3, overlapSentences: 0 }), /at least 16/);
});

test('BM25 terms: words without stop words, CJK unigrams and bigrams', () => {
  assert.deepEqual(bm25Terms('What is a Dog?'), ['dog']);
  assert.deepEqual(bm25Terms('静夜思'), ['静', '夜', '思', '静夜', '夜思']);
});

test('BM25 scores by hand', () => {
  const ix = new Bm25Index({ k1: 1.2, b: 0 });
  ix.add('cats purr');
  ix.add('dogs bark');
  ix.add('dogs dogs run');
  // idf(dogs) = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6; b = 0: tf 1 -> idf, tf 2 -> idf * 2 * 2.2 / 3.2
  const hits = ix.search('dogs', 5);
  assert.equal(hits.length, 2);
  assert.equal(hits[0].doc, 2);
  assert.ok(Math.abs(hits[0].score - Math.log(1.6) * 4.4 / 3.2) < 1e-12);
  assert.ok(Math.abs(hits[1].score - Math.log(1.6)) < 1e-12);
  assert.deepEqual(ix.search('bark', 1).map((h) => h.doc), [1]);
  assert.deepEqual(ix.search('unknown'), []);
});

test('HTML to text', () => {
  assert.equal(htmlToText('<h1>Title</h1><p>One &amp; two.</p><script>x()</script>'), 'Title\n\nOne & two.');
  assert.equal(decodeEntities('a &amp; b &#x4e2d;&#25991;'), 'a & b 中文');
});

test('answers from sentences: definitions and next lines', () => {
  assert.equal(bestSentence('What is a dog?', ['A cat purrs. A dog barks.']), 'A dog barks.');
  assert.equal(bestSentence('What is an abbey?', ['abbey (noun): a church of a monastery\nabbot (noun): the head of an abbey']), 'abbey (noun): a church of a monastery');
  assert.equal(extractAnswer('What is a dog?', 'dog (noun): a domesticated carnivore'), 'a domesticated carnivore');
  assert.equal(bestSentence('What is a fly?', ['fly (verb): travel through the air\nfly (noun): a winged insect']), 'fly (noun): a winged insect');
  assert.equal(bestSentence('What does it mean to fly?', ['fly (noun): a winged insect\nfly (verb): travel through the air']), 'fly (verb): travel through the air');
  assert.equal(extractAnswer('What does "lithe" mean?', 'lithe (adj): moving and bending with ease'), 'moving and bending with ease');
  assert.equal(extractAnswer('What is a dog?', 'Note: cats purr'), 'Note: cats purr');
  assert.equal(extractAnswer('「床前明月光」的下一句是什么？', '床前明月光，疑是地上霜。'), '疑是地上霜');
});

test('an index on disk: build, load, answer, reuse unchanged files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-index-'));
  try {
    const a = join(dir, 'glossary.txt');
    const b = join(dir, 'poems.html');
    writeFileSync(a, 'cat (noun): a small feline kept as a pet\ndog (noun): a domesticated carnivore that barks\n');
    writeFileSync(b, '<p>床前明月光，疑是地上霜。</p><p>举头望明月，低头思故乡。</p>');
    const m = buildDocIndex([a, b], join(dir, 'ix'));
    assert.equal(m.sources.length, 2);
    const ix = DocIndex.load(join(dir, 'ix'));
    assert.equal(ix.size, m.chunks);
    assert.equal(ix.answer('What is a dog?').answer, 'a domesticated carnivore that barks');
    const zh = ix.answer('「举头望明月」的下一句是什么？');
    assert.equal(zh.answer, '低头思故乡');
    assert.equal(zh.passages[0].source, b);
    const reused: boolean[] = [];
    writeFileSync(a, 'cow (noun): a mature female of mammals\n');
    buildDocIndex([a, b], join(dir, 'ix'), { onFile: (f) => reused.push(f.reused) });
    assert.deepEqual(reused, [false, true]);
    assert.equal(DocIndex.load(join(dir, 'ix')).answer('What is a cow?').answer, 'a mature female of mammals');
    writeFileSync(join(dir, 'ix', 'chunks.jsonl'), readFileSync(join(dir, 'ix', 'chunks.jsonl'), 'utf8') + '{"s":0,"o":0,"t":"x"}\n');
    assert.throws(() => DocIndex.load(join(dir, 'ix')), /chunks, index.json says/);
    assert.throws(() => DocIndex.load(dir), /not a document index/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
