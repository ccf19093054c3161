// Text for terminals: aligned tables, durations, sizes, local times and short metric summaries.

/**
 * Left-aligned columns separated by two spaces, with a header row; no trailing spaces.
 *
 * @example
 * table(['ID', 'KIND'], [['3fa9c2d1', 'pretrain']]); // 'ID        KIND\n3fa9c2d1  pretrain\n'
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

/**
 * A duration as its two largest units.
 *
 * @example
 * formatDuration(725_000); // '12m 5s'
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/**
 * Bytes in B, kB, MB or GB (powers of 1000).
 *
 * @example
 * formatBytes(497_759_232); // '497.8 MB'
 */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/**
 * An ISO time in the local time zone, to the minute (or second).
 *
 * @example
 * formatTime('2026-11-29T08:44:15.402Z'); // '2026-11-29 08:44' in UTC
 */
export function formatTime(iso: string, seconds = false): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day} ${p(d.getHours())}:${p(d.getMinutes())}${seconds ? `:${p(d.getSeconds())}` : ''}`;
}

/**
 * A metric value in 4 significant digits.
 *
 * @example
 * formatValue(2.914159); // '2.914'
 */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * The few metrics worth a glance, losses first: `name=value` pairs.
 *
 * @example
 * metricSummary({ lr: 3e-4, valLoss: 3.02, trainLoss: 2.91 }); // 'trainLoss=2.91 valLoss=3.02 lr=3e-4'
 */
export function metricSummary(values: Readonly<Record<string, number>>, max = 3): string {
  const names = Object.keys(values).sort((a, b) => Number(/loss/i.test(b)) - Number(/loss/i.test(a)) || a.localeCompare(b));
  return names.slice(0, max).map((n) => `${n}=${formatValue(values[n]!)}`).join(' ');
}
