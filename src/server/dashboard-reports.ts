// Result files for the dashboard's "model vs large model" page: the *.json files in the report directories.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReportInfo } from './dashboard-types.js';

/** A file name the reports API accepts: no directories, a .json ending. */
export const REPORT_NAME = /^[\w][\w.-]*\.json$/;

/**
 * The JSON files in the directories, first directory winning a name clash, sorted by name; a missing
 * directory is skipped.
 * @example listReports(['/home/me/.moxing/reports']); // [{ name: 'scaling.json', dir: '...', size: 812, modifiedAt: '...' }]
 */
export function listReports(dirs: readonly string[]): ReportInfo[] {
  const found = new Map<string, ReportInfo>();
  for (const d of dirs) {
    const dir = resolve(d);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!REPORT_NAME.test(name) || found.has(name)) continue;
      try {
        const st = statSync(join(dir, name));
        if (st.isFile()) found.set(name, { name, dir, size: st.size, modifiedAt: st.mtime.toISOString() });
      } catch {
        // Removed between readdir and stat.
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One report's parsed content, or undefined when no directory has it; throws on invalid JSON.
 * @example readReport(dirs, 'scaling.json'); // { title: 'Scaling', rows: [...] }
 */
export function readReport(dirs: readonly string[], name: string): unknown {
  if (!REPORT_NAME.test(name)) return undefined;
  const info = listReports(dirs).find((r) => r.name === name);
  if (!info) return undefined;
  return JSON.parse(readFileSync(join(info.dir, name), 'utf8')) as unknown;
}
