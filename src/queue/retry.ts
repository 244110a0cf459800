/**
 * Retry policies: how many attempts a job gets and how long to wait between them.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { maxAttempts: 3, backoff: { type: 'exponential', baseMs: 60_000, factor: 2, maxMs: 3_600_000 } };
 * ```
 */
import { ValidationError } from '../errors.js';
import { readSafely } from '../thrown.js';
import type { Job } from './job.js';

/**
 * The longest delay before a retry: 10 years (ms). Longer ones (and Infinity, NaN, negative)
 * are refused: such a job would sit in `delayed` for ever, and a score of `inf` or a due time
 * past Node's timer range breaks the wake-up timers.
 */
export const MAX_RETRY_DELAY_MS = 10 * 365 * 24 * 3_600_000;

/** A finite number of ms in [0, MAX_RETRY_DELAY_MS]. */
function isRetryDelay(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_DELAY_MS;
}

/** Fixed delay between attempts. */
export interface FixedBackoff {
  type: 'fixed';
  delayMs: number;
  /** Random spread, 0–1: the delay is multiplied by a factor in [1 - jitter, 1]. */
  jitter?: number;
}

/** `baseMs × factor^(attempt-1)`, capped at `maxMs`. */
export interface ExponentialBackoff {
  type: 'exponential';
  baseMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Cap on one delay; default 1 hour. */
  maxMs?: number;
  /** Random spread, 0–1: the delay is multiplied by a factor in [1 - jitter, 1]. */
  jitter?: number;
}

/** Serialisable back-off (can be stored with a job). */
export type BackoffOptions = FixedBackoff | ExponentialBackoff;

/**
 * Returned by a back-off function (any negative number does the same): do not retry, move the job
 * to `failed` now (BullMQ's `-1`).
 */
export const NO_RETRY = -1;

/**
 * A custom back-off: returns (or resolves to) the delay in ms before attempt `attemptsMade + 1`,
 * or {@link NO_RETRY} (any negative number) to fail the job now. The worker awaits a promise
 * while it still holds the job's lease; a rejection fails the job (reported as an `error`).
 */
export type BackoffFunction = (
  attemptsMade: number,
  error: unknown,
  job: Job,
) => number | Promise<number>;

/** How a queue (or one job) retries. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 = never retry. */
  maxAttempts: number;
  backoff?: BackoffOptions | BackoffFunction;
}

/** The default: 3 attempts, exponential back-off from 1 s, ×2, at most 1 hour, no jitter. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  backoff: { type: 'exponential', baseMs: 1000, factor: 2, maxMs: 3_600_000 },
};

/**
 * Throw this from a handler to retry after a delay you choose (e.g. from a `Retry-After` header).
 * The attempt still counts toward `maxAttempts`. Any error with a numeric `retryAfterMs` property
 * is treated the same way (one outside `[0, MAX_RETRY_DELAY_MS]` is ignored: the back-off applies).
 *
 * @throws {@link ValidationError} `SLC_ERR_INVALID_OPTIONS` when `retryAfterMs` is not a finite
 * number of ms in `[0, MAX_RETRY_DELAY_MS]` (NaN, Infinity, negative, 1e300).
 */
export class RetryAfterError extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = `retry after ${retryAfterMs} ms`) {
    if (!isRetryDelay(retryAfterMs))
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `retryAfterMs must be a finite number of ms between 0 and ${MAX_RETRY_DELAY_MS}; got ${String(retryAfterMs)}`,
      ]);
    super(message);
    this.name = 'RetryAfterError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Throw this from a handler when the provider says "slow down" (a 429): the job's group waits
 * `delayMs` while other groups go on (a job without a group holds the whole queue back). The job
 * goes back to the head of its group and runs again then; no attempt is counted.
 *
 * @example
 * ```ts
 * if (res.status === 429) throw new RateLimitError(Number(res.headers.get('retry-after')) * 1000);
 * ```
 * @throws {@link ValidationError} `SLC_ERR_INVALID_OPTIONS` when `delayMs` is not a finite number
 * of ms in `[0, MAX_RETRY_DELAY_MS]`.
 */
export class RateLimitError extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, message = `rate limited for ${delayMs} ms`) {
    if (!isRetryDelay(delayMs))
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `delayMs must be a finite number of ms between 0 and ${MAX_RETRY_DELAY_MS}; got ${String(delayMs)}`,
      ]);
    super(message);
    this.name = 'RateLimitError';
    this.delayMs = Math.round(delayMs);
  }
}

/**
 * Throw this from a handler when retrying cannot help (bad input, a permanent 4xx): the job goes
 * straight to `failed`. Any error with `retryable === false` is treated the same way.
 */
export class UnrecoverableError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableError';
  }
}

/** What to do after a failed attempt. */
export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'fail' };

/**
 * Decides retry vs. dead letter after attempt number `attemptsMade` (1-based) failed with `error`.
 * `random` is injected so tests can pin jitter. A promise only when a back-off function returned one.
 */
export function decideRetry(
  policy: RetryPolicy,
  attemptsMade: number,
  error: unknown,
  job: Job,
  random: () => number = Math.random,
): RetryDecision | Promise<RetryDecision> {
  // Read through getters that may throw: whatever a handler threw, the policy still decides.
  if (readSafely(error, 'retryable') === false) return { action: 'fail' };
  if (attemptsMade >= policy.maxAttempts) return { action: 'fail' };
  const retryAfterMs = readSafely(error, 'retryAfterMs');
  if (isRetryDelay(retryAfterMs)) return { action: 'retry', delayMs: Math.round(retryAfterMs) };
  const delay = backoffDelay(policy.backoff, attemptsMade, error, job, random);
  return typeof delay === 'number' ? toDecision(delay) : delay.then(toDecision);
}

function toDecision(delayMs: number): RetryDecision {
  return delayMs < 0 ? { action: 'fail' } : { action: 'retry', delayMs };
}

/**
 * The delay before the next attempt after `attemptsMade` attempts; {@link NO_RETRY} when a
 * back-off function says not to retry. A promise only when a back-off function returned one.
 */
export function backoffDelay(
  backoff: BackoffOptions | undefined,
  attemptsMade: number,
  error: unknown,
  job: Job,
  random?: () => number,
): number;
export function backoffDelay(
  backoff: RetryPolicy['backoff'],
  attemptsMade: number,
  error: unknown,
  job: Job,
  random?: () => number,
): number | Promise<number>;
export function backoffDelay(
  backoff: RetryPolicy['backoff'],
  attemptsMade: number,
  error: unknown,
  job: Job,
  random: () => number = Math.random,
): number | Promise<number> {
  if (!backoff) return 0;
  if (typeof backoff === 'function') {
    const ms: unknown = backoff(attemptsMade, error, job);
    return isThenable(ms) ? Promise.resolve(ms).then(checkedDelay) : checkedDelay(ms);
  }
  let delay: number;
  if (backoff.type === 'fixed') delay = backoff.delayMs;
  else {
    const factor = backoff.factor ?? 2;
    delay = Math.min(backoff.baseMs * factor ** (attemptsMade - 1), backoff.maxMs ?? 3_600_000);
  }
  const jitter = Math.min(Math.max(backoff.jitter ?? 0, 0), 1);
  if (jitter > 0) delay *= 1 - jitter * random();
  // Stored options may hold anything an older version accepted (a 1e300 ms fixed delay):
  // never park a job beyond the cap, and NaN counts as no delay.
  if (!(delay <= MAX_RETRY_DELAY_MS)) delay = Number.isNaN(delay) ? 0 : MAX_RETRY_DELAY_MS;
  return Math.max(0, Math.round(delay));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** A back-off function's answer: ms (rounded), or NO_RETRY for any negative number. */
function checkedDelay(ms: unknown): number {
  // NaN, Infinity or 1e300 would park the job for ever: refuse it rather than guess.
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms > MAX_RETRY_DELAY_MS)
    throw new TypeError(
      `backoff function returned ${typeof ms === 'number' ? ms : typeof ms}; expected a finite number of ms <= ${MAX_RETRY_DELAY_MS}, or a negative number for no retry`,
    );
  return ms < 0 ? NO_RETRY : Math.round(ms);
}

/** Problems with a serialisable retry override, for option validation. */
export function retryProblems(policy: unknown, path: string): string[] {
  const problems: string[] = [];
  if (policy === undefined) return problems;
  if (typeof policy !== 'object' || policy === null) return [`${path} must be an object`];
  const p = policy as Partial<RetryPolicy>;
  if (p.maxAttempts !== undefined && (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1))
    problems.push(`${path}.maxAttempts must be an integer >= 1`);
  const b = p.backoff;
  if (b !== undefined && typeof b !== 'function') {
    if (typeof b !== 'object' || b === null)
      problems.push(`${path}.backoff must be an object or function`);
    else if (b.type === 'fixed') {
      if (!atLeast(b.delayMs, 0)) problems.push(`${path}.backoff.delayMs must be a number >= 0`);
    } else if (b.type === 'exponential') {
      if (!atLeast(b.baseMs, 0)) problems.push(`${path}.backoff.baseMs must be a number >= 0`);
      if (b.factor !== undefined && !atLeast(b.factor, 1))
        problems.push(`${path}.backoff.factor must be >= 1`);
      if (b.maxMs !== undefined && !atLeast(b.maxMs, 0))
        problems.push(`${path}.backoff.maxMs must be >= 0`);
    } else problems.push(`${path}.backoff.type must be 'fixed' or 'exponential'`);
    if (
      typeof b === 'object' &&
      b &&
      b.jitter !== undefined &&
      !(atLeast(b.jitter, 0) && b.jitter <= 1)
    )
      problems.push(`${path}.backoff.jitter must be between 0 and 1`);
  }
  return problems;
}

/** A finite number >= min (strings, NaN and Infinity are not). */
function atLeast(v: unknown, min: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min;
}
