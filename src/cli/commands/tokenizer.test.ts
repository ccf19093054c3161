// Tests for `moxing tokenizer train|encode|decode`: in-process with a fake stdin/stdout, and once for real.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerTokenizer } from './tokenizer.js';
import { dataset, GPT2_FILES, REPO_ROOT, takeBytes } from '../../text/test-corpus.js';

/** Runs one command line in-process; returns what it printed. */
async function run(args: string[], stdin = ''): Promise<string> {
  let out = '';
  const program = new Command().exitOverride();
  registerTokenizer(program, { readStdin: async () => Buffer.from(stdin, 'utf8'), write: (s) => (out += s) });
  await program.parseAsync(['node', 'moxing', ...args]);
  return out;
}

test('train writes tokenizer.json; encode prints a JSON array; decode prints the text back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-cli-'));
  try {
    const en = join(dir, 'en.txt');
    const zh = join(dir, 'zh.txt');
    writeFileSync(en, takeBytes(dataset('jane_austen/emma.txt'), 100_000));
    writeFileSync(zh, takeBytes(dataset('fortunes_zh/chinese_fortunes.txt'), 100_000));
    const out = join(dir, 'tokenizer.json');
    const msg = await run(['tokenizer', 'train', en, zh, '--vocab-size', '600', '--special', '<|endoftext|>', '--special', '<|pad|>', '--out', out]);
    assert.match(msg, /^trained 600 tokens on 0\.2 MB in \d+\.\d s -> .*tokenizer\.json\n$/);
    assert.deepEqual(readdirSync(dir).sort(), ['en.txt', 'tokenizer.json', 'zh.txt']);

    const text = 'Emma Woodhouse, 中文<|endoftext|>\n';
    const printed = await run(['tokenizer', 'encode', '--tokenizer', out], text);
    assert.match(printed, /^\[\d+(,\d+)*\]\n$/);
    const ids = JSON.parse(printed) as number[];
    assert.ok(ids.includes(0)); // <|endoftext|> is id 0
    assert.equal(await run(['tokenizer', 'encode', '--tokenizer', out, '--json'], text), printed);
    assert.equal(await run(['tokenizer', 'decode', '--tokenizer', out], printed), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GPT-2 files: encode and decode', async () => {
  assert.equal(await run(['tokenizer', 'encode', '--tokenizer', GPT2_FILES], 'Hello world'), '[15496,995]\n');
  assert.equal(await run(['tokenizer', 'decode', '--tokenizer', GPT2_FILES], ' [15496, 995]\n'), 'Hello world');
});

test('bad input gives one clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-cli-'));
  try {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, Buffer.from([0x61, 0xff]));
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"model": ');
    await assert.rejects(run(['tokenizer', 'train', bad, '--vocab-size', '300', '--out', join(dir, 't.json')]), /bad\.txt: not valid UTF-8 \(first bad byte at offset 1\)/);
    await assert.rejects(run(['tokenizer', 'train', empty, '--vocab-size', '300', '--out', join(dir, 't.json')]), /empty\.txt: file is empty/);
    // The output is checked before the training, not after it.
    const ok = join(dir, 'ok.txt');
    writeFileSync(ok, 'It is a truth universally acknowledged. '.repeat(20));
    await assert.rejects(run(['tokenizer', 'train', ok, '--vocab-size', '300', '--out', join(dir, 'no', 't.json')]), new RegExp(`--out ${join(dir, 'no', 't.json')}: its folder ${join(dir, 'no')} does not exist`));
    await assert.rejects(run(['tokenizer', 'train', ok, '--vocab-size', '300', '--out', dir]), /is a folder, not a file/);
    await assert.rejects(run(['tokenizer', 'train', empty, '--vocab-size', '100']), /--vocab-size must be at least 256/);
    await assert.rejects(run(['tokenizer', 'train', empty, '--vocab-size', 'lots']), /--vocab-size must be a whole number/);
    await assert.rejects(run(['tokenizer', 'encode', '--tokenizer', broken], 'hi'), /broken\.json: not valid JSON/);
    await assert.rejects(run(['tokenizer', 'decode', '--tokenizer', GPT2_FILES], 'hello'), /stdin must be a JSON array of token ids/);
    await assert.rejects(run(['tokenizer', 'decode', '--tokenizer', GPT2_FILES], '[1, "a"]'), /JSON array of integer token ids/);
    await assert.rejects(run(['tokenizer', 'decode', '--tokenizer', GPT2_FILES], '[99999]'), /unknown token id 99999/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real CLI reads stdin, prints ids, and reports errors as "moxing: <message>" with exit 1', () => {
  const cli = (args: string[], input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/cli/main.ts').then((m) => m.main(['node', 'moxing', ...process.argv.slice(1)]))", ...args], {
      cwd: REPO_ROOT,
      input,
      encoding: 'utf8',
    });
  const ok = cli(['tokenizer', 'encode', '--tokenizer', GPT2_FILES], 'Hello world');
  assert.equal(ok.stdout, '[15496,995]\n');
  assert.equal(ok.status, 0);
  const bad = cli(['tokenizer', 'decode', '--tokenizer', join(REPO_ROOT, 'no-such-tokenizer.json')], '[1]');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^moxing: .*no-such-tokenizer\.json: no such file or folder\n$/);
});
