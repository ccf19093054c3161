// Who is running a tracked run (pid, host, process start time) and whether that process is still alive.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Identifies a process across time: pids are reused (quickly, in containers), so on Linux the
 * kernel's start time of the process is kept too; a live pid with another start time is someone else.
 *
 * @example
 * const me = currentProcess(); // { pid: 4242, host: 'box', start: '1234567' }
 */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** /proc/<pid>/stat field 22 (start time in clock ticks since boot) on Linux, else null. */
  start: string | null;
}

/** State and start time of `pid` from /proc, or null where there is no /proc (macOS, Windows) or no such pid. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, start] = [fields[0], fields[19]]; // fields 3 and 22 overall
    return state !== undefined && start !== undefined ? { state, start } : null;
  } catch {
    return null;
  }
}

/**
 * This process's identity, recorded when a run starts.
 *
 * @example
 * store.createRun({ kind: 'fit', config: {}, process: currentProcess() });
 */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: hostname(), start: procStat(process.pid)?.start ?? null };
}

/**
 * Whether the process that ran a run is gone: true (gone), false (alive) or undefined (cannot tell,
 * because it ran on another host).
 *
 * @example
 * if (processGone({ pid: 4242, host: hostname(), start: null })) console.log('interrupted');
 */
export function processGone(who: ProcessIdentity): boolean | undefined {
  if (who.host !== hostname()) return undefined;
  try {
    process.kill(who.pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return true;
  }
  const stat = procStat(who.pid);
  if (stat === null) return false;
  // A zombie (killed, not yet reaped by its parent) is gone; a different start time is a reused pid.
  return stat.state === 'Z' || (who.start !== null && stat.start !== who.start);
}
