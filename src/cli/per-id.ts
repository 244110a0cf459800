/**
 * Commands that act on several job ids go on past an id that fails (not found, wrong state):
 * each failure is reported, the others are done. What no id can get past — the token refused,
 * the server unreachable or failing (5xx) — ends the command as it would anywhere else.
 */
import { ApiError, isUsageCode } from './errors.js';
import type { Io } from './io.js';

/** An id that could not be acted on, and why. */
export interface IdFailure {
  id: string;
  code: string;
  message: string;
}

/** Whether `err` is about the one id (not found, wrong state), not one every id would meet. */
export function isIdFailure(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status < 500 && err.status !== 401 && err.status !== 403;
}

/** Runs `op` for each id in turn; resolves with what it returned and the ids that failed. */
export async function forEachId<T>(
  ids: readonly string[],
  op: (id: string) => Promise<T>,
): Promise<{ done: T[]; failed: IdFailure[] }> {
  const done: T[] = [];
  const failed: IdFailure[] = [];
  for (const id of ids) {
    try {
      done.push(await op(id));
    } catch (err) {
      if (!isIdFailure(err)) throw err;
      failed.push({ id, code: err.code, message: err.message });
    }
  }
  return { done, failed };
}

/**
 * The exit code of ids that failed: 0 when none did; 2 when one was refused as malformed (a bad
 * id or queue name: a usage error, as for a single id); else 1.
 */
export function failuresExitCode(failed: readonly { code: string }[]): number {
  if (failed.length === 0) return 0;
  return failed.some((f) => isUsageCode(f.code)) ? 2 : 1;
}

/** Writes each failure to stderr as `code: message`; the exit code ({@link failuresExitCode}). */
export function reportFailures(io: Io, failed: readonly IdFailure[]): number {
  for (const f of failed) io.stderr.write(`${f.code}: ${f.message}\n`);
  return failuresExitCode(failed);
}
