// The package's entry points (package.json "exports"): each maps to a source entry file and offers its documented names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types: string; default: string }> };

/** Names each entry must offer (a sample of what the README documents for it). */
const expected: Record<string, string[]> = {
  '.': ['tensor', 'matmul', 'Linear', 'AdamW', 'setBackend'],
  './ml': ['Ridge', 'LogisticRegression', 'RandomForestClassifier', 'KMeans', 'StandardScaler', 'ColumnTransformer', 'accuracyScore', 'r2Score',
    'trainTestSplit', 'crossValidate', 'GridSearchCV', 'loadModel', 'fitTabular', 'gridSearchTabular'],
  './data': ['readCsv', 'table', 'kFold', 'stratifiedKFold'],
  './llm': ['GPT', 'configFromPreset', 'sizeReport', 'pretrain', 'resume', 'generate', 'loadRun', 'finetuneClassifier'],
  './text': ['Tokenizer', 'trainBpe'],
  './io': ['saveSafetensors', 'loadSafetensors', 'writeFileAtomic'],
};

/** `./ml` -> `ml/index`, `.` -> `index`: the path under src/ and dist/. */
const stem = (subpath: string): string => (subpath === '.' ? 'index' : `${subpath.slice(2)}/index`);

test('every entry point is documented here, and every documented one is exported', () => {
  assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(expected).sort());
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    assert.equal(target.default, `./dist/${stem(subpath)}.js`, subpath);
    assert.equal(target.types, `./dist/${stem(subpath)}.d.ts`, subpath);
    assert.ok(existsSync(join(root, 'src', `${stem(subpath)}.ts`)), `${subpath}: src/${stem(subpath)}.ts is missing`);
  }
});

for (const [subpath, names] of Object.entries(expected)) {
  test(`${subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`} (from the source) offers ${names.length} documented names`, async () => {
    const mod = (await import(pathToFileURL(join(root, 'src', `${stem(subpath)}.ts`)).href)) as Record<string, unknown>;
    for (const name of names) assert.ok(mod[name] !== undefined, `${subpath}: no export '${name}'`);
  });
}

// After `npm run build` (which `npm ci` runs through prepare), the package resolves its own name
// through the exports map, as an installed copy would.
const built = existsSync(join(root, 'dist', 'index.js'));
test('the built package resolves each entry by name', { skip: built ? false : 'no dist/ (run npm run build)' }, async () => {
  for (const [subpath, names] of Object.entries(expected)) {
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const mod = (await import(specifier)) as Record<string, unknown>;
    for (const name of names) assert.ok(mod[name] !== undefined, `${specifier}: no export '${name}'`);
  }
});
