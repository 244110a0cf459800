/**
 * A progress bar on stderr for long operations. On a terminal it redraws one line in place; when
 * stderr is not a terminal it writes nothing at all, so piped output stays clean.
 */
import type { Io } from './io.js';

/** A running progress bar. */
export interface Progress {
  /** Sets how many of `total` are done. */
  update(done: number, total?: number): void;
  /** Clears the line (the command then prints its result). */
  finish(): void;
  /** Clears the line for output to the same terminal; the next update draws it again. */
  clear(): void;
}

const NONE: Progress = { update() {}, finish() {}, clear() {} };

/** The text of one frame: `label [#####.....]  50% 500/1000`. Pure, for tests. */
export function progressLine(label: string, done: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${done}/${total}`;
}

/** Starts a bar for `total` items (a no-op when stderr is not a terminal). */
export function startProgress(io: Io, label: string, total: number): Progress {
  if (!io.stderrTTY) return NONE;
  let max = total;
  let last = '';
  const draw = (done: number) => {
    const line = progressLine(label, done, max);
    if (line === last) return;
    last = line;
    io.stderr.write(`\r\x1b[2K${line}`);
  };
  draw(0);
  return {
    update(done, t) {
      if (t !== undefined) max = t;
      draw(done);
    },
    finish() {
      io.stderr.write('\r\x1b[2K');
    },
    clear() {
      io.stderr.write('\r\x1b[2K');
      last = '';
    },
  };
}
