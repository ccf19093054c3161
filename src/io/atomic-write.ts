// Atomic file writes: write a temp file in the same directory, fsync it, rename it over the target.

import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A temp name beside `path`, so the final rename stays within one file system. */
function tempPathFor(path: string): string {
  const tag = `${process.pid}.${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${tag}.tmp`);
}

/** The permission bits of an existing target, so replacing a file keeps its mode. */
function modeOf(stat: fsSync.Stats | undefined): number {
  return stat === undefined ? 0o666 : stat.mode & 0o7777;
}

/**
 * What the atomic writers accept: bytes, text (written as UTF-8), or a list of byte chunks written
 * one after another (so a large file need not be joined in memory first).
 *
 * @example
 * const chunks: AtomicData = [header, weights];
 */
export type AtomicData = Uint8Array | string | readonly Uint8Array[];

function toChunks(data: AtomicData): readonly Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (data instanceof Uint8Array) return [data];
  if (Array.isArray(data) && data.every((c) => c instanceof Uint8Array)) return data;
  throw new TypeError(`writeFileAtomic: data must be a Uint8Array, a string or Uint8Array chunks, got ${typeof data}`);
}

/**
 * Refuses a target that cannot be written before any temp file exists, in the target's own words
 * (a rename error would name the temp file): a folder in its place, or a folder that is not there.
 */
function checkTarget(path: string, existing: fsSync.Stats | undefined): void {
  if (existing === undefined) {
    try {
      existing = fsSync.statSync(path);
    } catch {
      // no file there yet: fine
    }
  }
  if (existing?.isDirectory()) throw targetError(path, 'EISDIR', 'is a folder, not a file');
  const dir = dirname(path);
  let parent: fsSync.Stats;
  try {
    parent = fsSync.statSync(dir);
  } catch {
    throw targetError(path, 'ENOENT', `its folder ${dir} does not exist`);
  }
  if (!parent.isDirectory()) throw targetError(path, 'ENOTDIR', `${dir} is not a folder`);
}

/**
 * Throws what a write of `path` would fail on first (a folder in its place, or no folder for it):
 * for commands to check their output before minutes of work, not after.
 * @example assertWritableTarget('out/tokenizer.json'); // throws "out/tokenizer.json: its folder out does not exist"
 */
export function assertWritableTarget(path: string): void {
  checkTarget(path, undefined);
}

/** An error about the target path, keeping the errno code callers may test. */
function targetError(path: string, code: string, what: string, cause?: unknown): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${path}: ${what}`, cause === undefined ? undefined : { cause });
  err.code = code;
  return err;
}

/** A failure while writing, said of the target rather than the temp file beside it. */
function writeError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const what: Record<string, string> = { EACCES: 'permission denied', EPERM: 'not permitted', ENOSPC: 'no space left on the device', EROFS: 'a read-only file system', EDQUOT: 'over the disk quota' };
  return code && what[code] ? targetError(path, code, `cannot write: ${what[code]}`, err) : err;
}

/**
 * Writes `data` to `path` so that readers see either the old file or the whole new one, never a
 * torn write: the bytes go to a temp file in the same directory, which is fsynced and then renamed
 * over `path`. On any failure the temp file is removed and the old file is left as it was.
 *
 * @example
 * await writeFileAtomic('runs/ckpt.safetensors', bytes);
 * await writeFileAtomic('tokenizer.json', text);
 */
export async function writeFileAtomic(path: string, data: AtomicData): Promise<void> {
  const chunks = toChunks(data);
  const existing = await fs.stat(path).catch(() => undefined);
  checkTarget(path, existing);
  const temp = tempPathFor(path);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', modeOf(existing));
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.length) {
        written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, path);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    throw writeError(path, err);
  }
  await syncDirectory(dirname(path));
}

/**
 * Synchronous {@link writeFileAtomic}, for exit handlers and other places that cannot await.
 *
 * @example
 * writeFileAtomicSync('registry.json', '{"models":[]}\n');
 */
export function writeFileAtomicSync(path: string, data: AtomicData): void {
  const chunks = toChunks(data);
  let existing: fsSync.Stats | undefined;
  try {
    existing = fsSync.statSync(path);
  } catch {
    existing = undefined;
  }
  checkTarget(path, existing);
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = fsSync.openSync(temp, 'wx', modeOf(existing));
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.length) written += fsSync.writeSync(fd, chunk, written);
    }
    fsSync.fsyncSync(fd);
    fsSync.closeSync(fd);
    fd = undefined;
    fsSync.renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fsSync.closeSync(fd);
      } catch {
        // already failing: the original error is the one to report
      }
    }
    try {
      fsSync.unlinkSync(temp);
    } catch {
      // the temp file may never have been created
    }
    throw writeError(path, err);
  }
  try {
    const dirFd = fsSync.openSync(dirname(path), 'r');
    try {
      fsSync.fsyncSync(dirFd);
    } finally {
      fsSync.closeSync(dirFd);
    }
  } catch {
    // directories cannot be opened or fsynced on every platform (Windows); the rename already happened
  }
}

/** Makes the rename durable; best effort because not every platform can fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // see writeFileAtomicSync
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function jsonText(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError('writeJsonAtomic: value has no JSON form');
  return `${text}\n`;
}

/**
 * Writes `value` as pretty JSON (2-space indent, trailing newline) through {@link writeFileAtomic}.
 *
 * @example
 * await writeJsonAtomic('models/registry.json', { models: [{ name: 'gpt-tiny', step: 1000 }] });
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, jsonText(value));
}

/**
 * Synchronous {@link writeJsonAtomic}.
 *
 * @example
 * writeJsonAtomicSync('runs/run-1/meta.json', { status: 'done' });
 */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileAtomicSync(path, jsonText(value));
}

/**
 * Creates a folder and its parents, saying which path is in the way when a file is (mkdir's own
 * EEXIST or ENOTDIR names neither the folder wanted nor the file blocking it).
 * @example makeFolder('runs/a/b'); // throws "runs/a/b: runs/a is a file, not a folder" if runs/a is a file
 */
export function makeFolder(dir: string): void {
  let at = dir;
  for (;;) {
    let st: fsSync.Stats | undefined;
    try {
      st = fsSync.statSync(at);
    } catch {
      st = undefined;
    }
    if (st) {
      if (!st.isDirectory()) throw targetError(dir, at === dir ? 'EEXIST' : 'ENOTDIR', at === dir ? 'is a file, not a folder' : `${at} is a file, not a folder`);
      break;
    }
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  try {
    fsSync.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(dir, err);
  }
}
