// Size and SHA-256 of an artifact: a file's bytes, or for a directory a sha256sum-style manifest.

import { closeSync, lstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Hashes a file in 1 MiB chunks, so a multi-GB checkpoint never sits in memory. */
function hashFile(path: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Regular files under `dir` as '/'-separated relative paths, sorted; symlinks are skipped. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * The size and SHA-256 of a file, or of a directory: its size is the sum of its files' and its hash
 * is the SHA-256 of the lines `sha256sum` would print for them (`<hex>  <relative path>\n`, sorted),
 * so `cd dir && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum` reproduces it.
 *
 * @example
 * hashPath('runs/base/model.safetensors'); // { size: 497759232, sha256: '3f1c...' }
 */
export function hashPath(path: string): { size: number; sha256: string } {
  const stat = lstatSync(path);
  if (stat.isFile()) return hashFile(path);
  if (!stat.isDirectory()) throw new Error(`${path} is neither a file nor a directory`);
  const manifest = createHash('sha256');
  let size = 0;
  for (const rel of listFiles(path)) {
    const file = hashFile(join(path, rel));
    size += file.size;
    manifest.update(`${file.sha256}  ${rel}\n`);
  }
  return { size, sha256: manifest.digest('hex') };
}
