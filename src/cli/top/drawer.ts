/**
 * `top`'s drawer: the state → the text of one frame, fitted to the terminal. Pure (no writes, no
 * clock), so a test compares frames as strings. `color` adds reverse video for the selected row
 * and red for failures; off when stdout is not a terminal.
 */
import { ago } from '../output.js';
import type { TopState } from './state.js';

export interface Screen {
  columns: number;
  rows: number;
  color: boolean;
  /** Where the data comes from, for the header. */
  source: string;
}

const HEAD = [
  'QUEUE',
  'STATE',
  'WAITING',
  'ACTIVE',
  'DELAYED',
  'FAILED',
  'DONE/S',
  'FAIL/S',
  'OLDEST',
];

const rate = (r: number | null) =>
  r === null ? '-' : r < 10 ? r.toFixed(1) : String(Math.round(r));

/** One frame's lines (header, table, footer), each at most `columns` wide. */
export function drawFrame(state: TopState, screen: Screen): string[] {
  const time = state.updatedAt ? new Date(state.updatedAt).toISOString().slice(11, 19) : '--:--:--';
  const header = `sluice top  ${screen.source}  ${state.rows.length} queues  ${time}  sort: ${state.sort}`;
  const cells = state.rows.map((r) => [
    r.stats.name,
    r.stats.paused ? 'paused' : 'running',
    String(r.stats.waiting),
    String(r.stats.active),
    String(r.stats.delayed),
    String(r.stats.failed),
    rate(r.completedPerSec),
    rate(r.failedPerSec),
    ago(r.stats.oldestWaitingAgeMs),
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const fit = (s: string) => (s.length > screen.columns ? s.slice(0, screen.columns) : s);
  // Header, status, column names, footer: the rest of the screen is for queues.
  const room = Math.max(1, screen.rows - 4);
  const first = Math.max(0, Math.min(state.selected - room + 1, cells.length - room));
  const out = [fit(header), fit(state.error ? `error: ${state.error}` : ''), fit(line(HEAD))];
  cells.slice(first, first + room).forEach((c, i) => {
    let text = fit(line(c));
    const row = state.rows[first + i]!;
    if (screen.color && row.stats.failed > 0) text = `\x1b[31m${text}\x1b[39m`;
    if (screen.color && first + i === state.selected) text = `\x1b[7m${text}\x1b[27m`;
    out.push(text);
  });
  if (cells.length === 0) out.push('(no queues yet)');
  out.push(fit('q quit  j/k or arrows select  s sort'));
  return out;
}
