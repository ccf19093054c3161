// Tests for atomic writes: content, replacement, and the old file surviving a failed write.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  writeFileAtomic,
  writeFileAtomicSync,
  makeFolder,
  writeJsonAtomic,
  writeJsonAtomicSync,
} from './atomic-write.js';

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moxing-atomic-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'writes bytes and strings, replacing an existing file, leaving no temp file',
  withDir(async (dir) => {
    const path = join(dir, 'a.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    await writeFileAtomic(path, 'héllo');
    assert.equal(readFileSync(path, 'utf8'), 'héllo');
    writeFileAtomicSync(path, new Uint8Array([9]));
    assert.deepEqual([...readFileSync(path)], [9]);
    await writeFileAtomic(path, [new Uint8Array([1, 2]), new Uint8Array(0), Buffer.from('ab')]);
    assert.deepEqual([...readFileSync(path)], [1, 2, 97, 98]);
    writeFileAtomicSync(path, [new Uint8Array([3]), new Uint8Array([4, 5])]);
    assert.deepEqual([...readFileSync(path)], [3, 4, 5]);
    assert.deepEqual(readdirSync(dir), ['a.bin']);
  }),
);

test(
  'writes a view into a larger buffer as just the view',
  withDir(async (dir) => {
    const path = join(dir, 'v.bin');
    const whole = new Uint8Array([0, 1, 2, 3, 4, 5]);
    await writeFileAtomic(path, whole.subarray(2, 4));
    assert.deepEqual([...readFileSync(path)], [2, 3]);
  }),
);

test(
  'keeps the permission bits of the file it replaces',
  withDir(async (dir) => {
    const path = join(dir, 'mode.json');
    writeFileSync(path, '{}');
    await fs.chmod(path, 0o600);
    await writeJsonAtomic(path, { a: 1 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
  }),
);

test(
  'writeJsonAtomic writes pretty JSON with a trailing newline',
  withDir(async (dir) => {
    const path = join(dir, 'x.json');
    await writeJsonAtomic(path, { a: [1, 2], b: 'c' });
    assert.equal(readFileSync(path, 'utf8'), '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "c"\n}\n');
    writeJsonAtomicSync(path, 5);
    assert.equal(readFileSync(path, 'utf8'), '5\n');
    await assert.rejects(writeJsonAtomic(path, undefined), TypeError);
    assert.equal(readFileSync(path, 'utf8'), '5\n');
  }),
);

test(
  'a failed rename leaves the old file intact and removes the temp file',
  withDir(async (dir) => {
    const path = join(dir, 'ckpt.bin');
    writeFileSync(path, 'old');
    const rename = mock.method(fs, 'rename', async () => {
      throw new Error('simulated crash before rename');
    });
    try {
      await assert.rejects(writeFileAtomic(path, 'new contents'), /simulated crash/);
    } finally {
      rename.mock.restore();
    }
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['ckpt.bin']);
  }),
);

test(
  'a failed fsync in the sync variant leaves the old file intact and removes the temp file',
  withDir((dir) => {
    const path = join(dir, 'reg.json');
    writeFileSync(path, 'old');
    const fsync = mock.method(fsSync, 'fsyncSync', () => {
      throw new Error('simulated EIO');
    });
    try {
      assert.throws(() => writeFileAtomicSync(path, 'new'), /simulated EIO/);
    } finally {
      fsync.mock.restore();
    }
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['reg.json']);
  }),
);

test(
  'a write into a missing directory fails without creating anything',
  withDir(async (dir) => {
    await assert.rejects(writeFileAtomic(join(dir, 'no', 'such', 'f'), 'x'), { code: 'ENOENT', message: `${join(dir, 'no', 'such', 'f')}: its folder ${join(dir, 'no', 'such')} does not exist` });
    assert.throws(() => writeFileAtomicSync(join(dir, 'no', 'f'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  }),
);

test(
  'makeFolder makes parents, and names the file in the way',
  withDir(async (dir) => {
    makeFolder(join(dir, 'a', 'b'));
    makeFolder(join(dir, 'a', 'b')); // already there: fine
    writeFileAtomicSync(join(dir, 'f'), 'x');
    assert.throws(() => makeFolder(join(dir, 'f')), { code: 'EEXIST', message: `${join(dir, 'f')}: is a file, not a folder` });
    assert.throws(() => makeFolder(join(dir, 'f', 'g', 'h')), { code: 'ENOTDIR', message: `${join(dir, 'f', 'g', 'h')}: ${join(dir, 'f')} is a file, not a folder` });
  }),
);

test(
  'a folder in the target\'s place, or a file in its folder\'s, is named as such (not the temp file)',
  withDir(async (dir) => {
    await assert.rejects(writeFileAtomic(dir, 'x'), { code: 'EISDIR', message: `${dir}: is a folder, not a file` });
    assert.throws(() => writeFileAtomicSync(dir, 'x'), { code: 'EISDIR' });
    writeFileAtomicSync(join(dir, 'plain'), 'x');
    assert.throws(() => writeFileAtomicSync(join(dir, 'plain', 'f'), 'x'), { code: 'ENOTDIR', message: `${join(dir, 'plain', 'f')}: ${join(dir, 'plain')} is not a folder` });
    assert.deepEqual(readdirSync(dir), ['plain']);
  }),
);

test(
  'bad data is rejected before anything touches the disk',
  withDir(async (dir) => {
    const path = join(dir, 'keep.txt');
    writeFileSync(path, 'old');
    const bad = 42 as unknown as string;
    await assert.rejects(writeFileAtomic(path, bad), TypeError);
    assert.throws(() => writeFileAtomicSync(path, bad), TypeError);
    await assert.rejects(writeFileAtomic(path, [new Uint8Array(1), 'x' as unknown as Uint8Array]), TypeError);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['keep.txt']);
  }),
);

test(
  'concurrent writers never tear the file: it ends as exactly one of the versions',
  withDir(async (dir) => {
    const path = join(dir, 'race.bin');
    const versions = Array.from({ length: 8 }, (_, i) => new Uint8Array(64 * 1024).fill(i + 1));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    const got = readFileSync(path);
    assert.equal(got.length, 64 * 1024);
    assert.ok(got.every((b) => b === got[0]));
    assert.deepEqual(readdirSync(dir), ['race.bin']);
  }),
);
