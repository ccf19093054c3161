// The layering the README claims, enforced: every import in src/ points down (or sideways within a
// layer). The one allowed cycle: the Tensor class's fluent methods call the ops (x.add(y)).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = dirname(fileURLToPath(import.meta.url));

/** Layer of each folder of src/: lower numbers are lower layers. */
export const LAYERS: Record<string, number> = {
  tensor: 0,
  backends: 1,
  ops: 2,
  nn: 3, optim: 3,
  data: 4, ml: 4, text: 4, io: 4,
  llm: 5, eval: 5,
  runs: 6, analysis: 6,
  server: 7, cli: 7, browser: 7,
};

/** Imports allowed to point up, each with its reason. */
const ALLOWED = new Map<string, string>([
  ['tensor/tensor.ts -> ops/index.ts', 'the fluent methods (x.add(y)): Tensor and ops are one layer at this file'],
]);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Value imports and re-exports of a file (type-only imports carry no runtime dependency). */
function imports(file: string): string[] {
  return importsOf(readFileSync(file, 'utf8'));
}

function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    if (!m[1]) out.push(m[2]!);
  }
  return out;
}

test('every folder of src/ has a layer', () => {
  for (const name of readdirSync(src)) {
    if (statSync(join(src, name)).isDirectory()) assert.ok(name in LAYERS, `src/${name} has no layer in LAYERS`);
  }
});

test('imports in src/ point down the layers', () => {
  const upward: string[] = [];
  for (const file of sources(src)) {
    const from = relative(src, file);
    const layer = from.split('/')[0]!;
    if (!(layer in LAYERS)) continue; // src/index.ts, the library's entry, sits above everything
    for (const spec of imports(file)) {
      const to = relative(src, normalize(join(dirname(file), spec))).replace(/\.js$/, '.ts');
      const target = to.split('/')[0]!;
      if (!(target in LAYERS) || LAYERS[target]! <= LAYERS[layer]!) continue;
      const edge = `${from} -> ${to}`;
      if (!ALLOWED.has(edge)) upward.push(`${edge} (layer ${layer} ${LAYERS[layer]} imports ${target} ${LAYERS[target]})`);
    }
  }
  assert.deepEqual(upward, [], `upward imports:\n${upward.join('\n')}`);
});

test('the checker sees value imports and re-exports, not type-only ones', () => {
  const text = "import { GPT } from '../llm/gpt.js';\nimport type { X } from '../server/app.js';\nexport { y } from './y.js';\n";
  assert.deepEqual(importsOf(text), ['../llm/gpt.js', './y.js']);
  const fake = join(src, 'nn', 'x.ts');
  const to = relative(src, normalize(join(dirname(fake), '../llm/gpt.js'))).replace(/\.js$/, '.ts');
  assert.equal(to, 'llm/gpt.ts');
  assert.ok(LAYERS[to.split('/')[0]!]! > LAYERS['nn']!);
});
