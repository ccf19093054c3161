// Number, size, time and duration formatting for the tables.

/** 124439808 -> "124.4M". */
export function human(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** A metric value with 4 significant digits (integers in full, with thousands separators). */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** 1536 -> "1.5 KiB". */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** 3725 -> "1h 2m". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${Math.round(seconds % 60)}s`;
  const hrs = Math.floor(m / 60);
  return hrs < 48 ? `${hrs}h ${m % 60}m` : `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

/** An ISO time as local "YYYY-MM-DD HH:MM". */
export function when(iso: string | null): string {
  if (!iso) return '–';
  const d = new Date(iso);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** How long a run took (or has taken so far). */
export function runDuration(startedAt: string, endedAt: string | null, heartbeatAt: string | null, running: boolean): string {
  const end = endedAt ?? (running ? new Date().toISOString() : heartbeatAt) ?? startedAt;
  return duration((Date.parse(end) - Date.parse(startedAt)) / 1000);
}

/** An axis tick: 1.2M, 500k, 0.0003 as 3e-4, else up to 4 significant digits. */
export function tick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e4) return human(v).replace('.0', '');
  if (a !== 0 && a < 1e-2) return Number(v.toPrecision(2)).toExponential();
  return String(Number(v.toPrecision(4)));
}
