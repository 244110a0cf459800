/**
 * The streams and signals a command sees. `bin.ts` builds one over `process`; tests build one
 * over strings ({@link captureIo}). Data goes to `stdout`, talk (progress, notices) to `stderr`.
 */

/** Where a command writes, and what it may read of its terminal. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** stdout is a terminal: human tables aligned (else tab-separated). */
  stdoutTTY: boolean;
  /** stderr is a terminal: progress bars drawn (else nothing extra). */
  stderrTTY: boolean;
  /** Terminal width in columns (80 when unknown). */
  columns: number;
  /** Terminal height in rows, when stdout is a terminal (top fits its table to it). */
  rows?: number;
  /** Aborted on SIGINT / SIGTERM: long commands stop cleanly. */
  signal: AbortSignal;
  /** Starts reading key presses (raw mode on a terminal), for `top`; ends when stdin ends. */
  keys?(): AsyncIterable<string>;
  /** Reads stdin to the end (for `-` arguments). */
  readStdin(): Promise<string>;
  /** Reads a file (token and secret files). */
  readFile(path: string): Promise<string>;
}

/** An {@link Io} over strings, for tests: `out()` and `err()` return what was written. */
export function captureIo(
  opts: Partial<Omit<Io, 'stdout' | 'stderr'>> & { stdin?: string } = {},
): Io & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdoutTTY: false,
    stderrTTY: false,
    columns: 100,
    signal: new AbortController().signal,
    readStdin: async () => opts.stdin ?? '',
    readFile: async () => '',
    ...opts,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    out: () => out,
    err: () => err,
  };
}
