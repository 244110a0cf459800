/**
 * Timeouts a caller gives (a close's grace, a deadline): checked, and waited on safely. Node's
 * `setTimeout` takes at most 2^31 − 1 ms and fires a longer (or NaN, or negative) delay after
 * 1 ms, with only a warning: a `close(Infinity)` would abort every running handler at once.
 */
import { ValidationError } from './errors.js';

/** The longest delay `setTimeout` honours, in ms (~24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws `SLC_ERR_INVALID_OPTIONS` unless `ms` is a number ≥ 0 (`Infinity`: no limit). */
export function checkTimeout(ms: unknown, name: string): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${name} must be a number of ms >= 0 (Infinity: no limit)`,
    ]);
  return ms;
}

/** A rejected promise when {@link checkTimeout} refuses `ms`, else undefined. */
export function badTimeout(ms: unknown, name: string): Promise<never> | undefined {
  try {
    checkTimeout(ms, name);
    return undefined;
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Resolves true once `done` settles, false after `ms` if it has not (never false for a limit
 * past {@link MAX_TIMER_MS}: that long is no limit).
 */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = done.then(
    () => true,
    () => true,
  );
  if (ms > MAX_TIMER_MS) return settled;
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    settled,
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return result;
}
