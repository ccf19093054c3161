// The program as a whole: every command prints through the one output object; backends start once, in main.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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
