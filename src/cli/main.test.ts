// The program as a whole: every command prints through the one output object; backends start once, in main.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from './main.js';
import { captureIo } from './io.js';

test('a command run through buildProgram(io) prints into io, not onto stdout', async () => {
  const io = captureIo();
  const program = buildProgram(io);
  await program.parseAsync(['node', 'moxing', 'size', '--preset', 'micro', '--no-measure', '--json']);
  const r = JSON.parse(io.text) as { parameters: number };
  assert.ok(r.parameters > 0);
});

test('command files print through their io and leave backends to main()', () => {
  const dir = join(process.cwd(), 'src', 'cli', 'commands');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    const code = text.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n'); // comments may show stdout
    assert.ok(!/process\.stdout\.write\(/.test(code), `${name} writes to process.stdout: print through the io it is registered with`);
    // bench.ts reads the kernel handles (initBackends is idempotent); serve.ts's startServe is also a library entry.
    if (name !== 'bench.ts' && name !== 'serve.ts') assert.ok(!/initBackends\(\)/.test(text), `${name} calls initBackends(): main() does`);
  }
});

test('output into a pipe its reader closed early (moxing ... | head) ends quietly, with no stack trace', { skip: process.platform === 'win32' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-epipe-'));
  try {
    const input = join(dir, 'big.txt');
    writeFileSync(input, 'It is a truth universally acknowledged. '.repeat(60_000)); // 2.4 MB: far more ids than a pipe holds
    const cmd = `node --import tsx scripts/moxing-dev.ts tokenizer encode --tokenizer models/moxing-base/tokenizer.json < '${input}' | head -c 3; exit "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, MOXING_TRACKING: '0' }, timeout: 120_000 });
    assert.equal(r.stdout.length, 3);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
