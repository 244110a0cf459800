/**
 * Output: human tables on a terminal (aligned columns with a header), tab-separated rows without
 * a header when stdout is piped (like the GitHub CLI), JSON for `--json`.
 */
import type { Io } from './io.js';

/** A table cell: anything printable. */
export type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '-';
  return String(v).replace(/[\t\n\r]/g, ' ');
}

/** Writes rows under `headers`: aligned on a terminal, tab-separated when piped. */
export function printTable(io: Io, headers: string[], rows: Cell[][]): void {
  const text = rows.map((r) => r.map(cell));
  if (!io.stdoutTTY) {
    for (const r of text) io.stdout.write(r.join('\t') + '\n');
    return;
  }
  const all = [headers, ...text];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all) {
    const line = r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    io.stdout.write(line.trimEnd() + '\n');
  }
}

/** Writes `key: value` lines (one record: a job, a topic). Piped: `key\tvalue`. */
export function printRecord(io: Io, pairs: [string, Cell][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length));
  for (const [k, v] of pairs) {
    io.stdout.write(
      io.stdoutTTY ? `${(k + ':').padEnd(width + 1)} ${cell(v)}\n` : `${k}\t${cell(v)}\n`,
    );
  }
}

/** Writes a value as JSON (pretty on a terminal, one line when piped). */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, io.stdoutTTY ? 2 : undefined) + '\n');
}

/** A duration in ms as a short human string (`850ms`, `12s`, `4m`, `3h`, `2d`). */
export function ago(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** A time in ms since the epoch as ISO text. */
export function isoTime(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}

/** A value as one line of compact JSON, cut to `max` characters. */
export function compact(value: unknown, max = 60): string {
  const s = value === undefined ? '' : JSON.stringify(value);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
