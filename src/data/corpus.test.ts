// The corpus builder: text formats by hand, language tags, duplicates, and a build from named files
// (split, manifest, resume) on small in-test texts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fortuneEntries, gcideDocs, infoNodes, langTag, normalizeText, podToText, roffToText, wordnetDocs } from './corpus-text.js';
import { estimatedJaccard, exactKey, minhash, NearDuplicateFilter, shingles } from './corpus-dedup.js';
import { fileSource } from './corpus-sources.js';
import { buildCorpus, type CorpusManifest } from './corpus-build.js';

test('normalisation: NFC, line ends, escapes, blank lines', () => {
  assert.equal(normalizeText('a\r\n\x1b[33mb\x1b[m  \n\n\n\nc'), 'a\nb\n\nc');
  assert.equal(normalizeText('e\u0301'), '\u00e9');
});

test('language tags', () => {
  assert.equal(langTag('The cat sat on the mat and looked at the dog in the garden.'), 'en');
  assert.equal(langTag('床前明月光，疑是地上霜。'), 'zh');
  assert.equal(langTag('Der Hund läuft schnell über die Straße und bellt laut, weil er Hunger hat und müde ist.'), 'other');
  assert.equal(langTag('お早うございます。今日はいい天気ですね。'), 'other');
  assert.equal(langTag('Bionic Dog kicks Redwood Forest'), 'en');
});

test('formats: roff, info, POD, fortunes, GCIDE, WordNet', () => {
  assert.equal(roffToText('.TH LS 1\n.SH NAME\nls \\- list\ndirectory contents\n.SH SEE ALSO\n.BR dir (1)'), 'NAME\n\nls - list directory contents\n\nSEE ALSO\n\ndir(1)');
  assert.deepEqual(infoNodes('preamble\x1f\nFile: x.info, Node: Top\n\nHello.\n\x1f\nTag Table:\nx\n'), ['Hello.']);
  assert.equal(podToText('=head1 NAME\n\nB<perl> - the L<language|perlintro>\n\n=cut'), 'NAME\n\nperl - the perlintro');
  assert.deepEqual(fortuneEntries('one\n%\ntwo\n%\n'), ['one', 'two']);
  assert.deepEqual(gcideDocs('00-database-info\nx\n\nAb \\Ab\\, n.\n   One.\n   [1913 Webster]\n\nBa \\Ba\\, v.\n   Two.', 1), ['Ab \\Ab\\, n.\n   One.', 'Ba \\Ba\\, v.\n   Two.']);
  const data = '  1 This software and database is being provided\n00001740 03 n 02 entity 0 thing 0 003 ~ 00001930 n 0000 | that which exists  \n';
  assert.deepEqual(wordnetDocs(data, 'noun'), ['entity, thing (noun): that which exists']);
});

test('duplicates: exact keys ignore case and spacing; MinHash finds near copies', () => {
  assert.equal(exactKey('A  b\nC'), exactKey('a b c'));
  assert.deepEqual(shingles('a b c d e f'), ['a b c d e', 'b c d e f']);
  assert.deepEqual(shingles('床前明月光疑'), ['床 前 明 月 光', '前 明 月 光 疑']);
  const base = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  const edited = base.replace('word100', 'changed');
  const other = Array.from({ length: 200 }, (_, i) => `other${i}`).join(' ');
  // One word changed touches 5 of 196 shingles: Jaccard 191/201 = 0.95
  const j = estimatedJaccard(minhash(shingles(base)), minhash(shingles(edited)));
  assert.ok(j > 0.85 && j <= 1, `estimated ${j}`);
  assert.ok(estimatedJaccard(minhash(shingles(base)), minhash(shingles(other))) < 0.05);
  const f = new NearDuplicateFilter();
  assert.deepEqual([base, edited, other].map((d) => f.keep(d)), [true, false, true]);
});

test('a corpus from named files: duplicates out, languages split, manifest, resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-corpus-'));
  try {
    const en = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} is about the number ${i} and the way it was written in the old book of ${i * 7} pages.`);
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.html');
    writeFileSync(a, `${en.join('\n\n')}\n\n${en[3]}`);
    writeFileSync(b, `<p>${en[5]}</p><p>静夜思，床前明月光，疑是地上霜。举头望明月，低头思故乡。这是一首很有名的诗。</p>`);
    const lines: string[] = [];
    const m: CorpusManifest = buildCorpus([fileSource(a), fileSource(b)], join(dir, 'out'), { valFraction: 0.2, log: (l) => lines.push(l) });
    const [sa, sb] = m.sources;
    // a.txt: 61 paragraphs of ~100 characters gathered into ~4 KB documents; the repeated last one
    // lands inside the second document, so nothing is an exact duplicate there.
    assert.equal(sa.docs, 2);
    assert.equal(sb.docs, 1);
    assert.equal(m.splits.train.en.docs + m.splits.validation.en.docs, 2);
    assert.equal(m.splits.train.zh.docs + m.splits.validation.zh.docs, 1);
    const train = readFileSync(join(dir, 'out', 'train.en.txt'), 'utf8') + readFileSync(join(dir, 'out', 'validation.en.txt'), 'utf8');
    assert.ok(train.includes('Paragraph 59'));
    assert.equal(m.sources[0].licence, 'as given by the user');
    assert.ok(lines.some((l) => l.includes('[1/2] file-a.txt')));
    // A second build reuses the extracted parts.
    const again: string[] = [];
    buildCorpus([fileSource(a), fileSource(b)], join(dir, 'out'), { valFraction: 0.2, log: (l) => again.push(l) });
    assert.ok(again.some((l) => l.includes('(extracted before)')));
    assert.throws(() => buildCorpus([], join(dir, 'out')), /no sources/);
    assert.throws(() => fileSource(join(dir, 'missing.txt')), /no such file/);
    // Latin-1 (or any non-UTF-8 bytes) is refused by name and offset, before anything is built.
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74]));
    assert.throws(() => fileSource(latin1), /latin1\.txt: not valid UTF-8 \(first bad byte at offset 3\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
