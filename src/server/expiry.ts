/**
 * A token's expiry as a timer: a live stream (the gateway's sessions, the dashboard's stats)
 * ends when its token does. Written here rather than a plain `setTimeout` because Node fires a
 * timer past 2^31 − 1 ms (~24.8 days) after 1 ms: a token valid for a month would end at once.
 */

/** Longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` once `expiresAt` (ms since the epoch) has passed; never when there is none.
 * Returns the cancel.
 * @example
 * ```ts
 * const cancel = untilExpiry(principal.expiresAt, () => stream.end());
 * ```
 */
export function untilExpiry(expiresAt: number | undefined, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = (expiresAt ?? 0) - Date.now();
    if (left > 0) timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    else fire();
  };
  if (expiresAt !== undefined) check();
  return () => clearTimeout(timer);
}
