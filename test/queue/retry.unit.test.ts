/** Back-off math and the retry decision, without Redis. */
import { describe, expect, it } from 'vitest';
import { Job } from '../../src/index.js';
import { SluiceError } from '../../src/errors.js';
import {
  DEFAULT_RETRY,
  MAX_RETRY_DELAY_MS,
  NO_RETRY,
  RetryAfterError,
  UnrecoverableError,
  backoffDelay,
  decideRetry,
  retryProblems,
  type RetryPolicy,
} from '../../src/queue/retry.js';

const job = new Job({ id: '1', queueName: 'q', record: '1700000000000|0|{"d":null}' });
const err = new Error('boom');

describe('backoffDelay', () => {
  it('fixed: the same delay for every attempt', () => {
    const b = { type: 'fixed', delayMs: 250 } as const;
    expect([1, 2, 5].map((n) => backoffDelay(b, n, err, job))).toEqual([250, 250, 250]);
  });

  it('exponential: base × factor^(attempt-1), capped at max', () => {
    const b = { type: 'exponential', baseMs: 100, factor: 3, maxMs: 2000 } as const;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(b, n, err, job))).toEqual([
      100, 300, 900, 2000, 2000,
    ]);
  });

  it('exponential defaults: factor 2, max 1 hour', () => {
    const b = { type: 'exponential', baseMs: 1000 } as const;
    expect([1, 2, 3].map((n) => backoffDelay(b, n, err, job))).toEqual([1000, 2000, 4000]);
    expect(backoffDelay(b, 30, err, job)).toBe(3_600_000);
  });

  it('the notes-sync policies: chat 60 s ×2 max 60 min, social 30 s ×1.5 max 30 min', () => {
    const chat = { type: 'exponential', baseMs: 60_000, factor: 2, maxMs: 3_600_000 } as const;
    expect([1, 2, 3, 7, 8].map((n) => backoffDelay(chat, n, err, job))).toEqual([
      60_000, 120_000, 240_000, 3_600_000, 3_600_000,
    ]);
    const social = { type: 'exponential', baseMs: 30_000, factor: 1.5, maxMs: 1_800_000 } as const;
    expect([1, 2, 3].map((n) => backoffDelay(social, n, err, job))).toEqual([
      30_000, 45_000, 67_500,
    ]);
  });

  it('jitter scales the delay into [1 - jitter, 1] × delay', () => {
    const b = { type: 'fixed', delayMs: 1000, jitter: 0.5 } as const;
    expect(backoffDelay(b, 1, err, job, () => 0)).toBe(1000);
    expect(backoffDelay(b, 1, err, job, () => 0.5)).toBe(750);
    expect(backoffDelay(b, 1, err, job, () => 0.999999)).toBe(500);
    const e = { type: 'exponential', baseMs: 100, factor: 2, jitter: 1 } as const;
    expect(backoffDelay(e, 3, err, job, () => 0.25)).toBe(300);
  });

  it('a function gets (attemptsMade, error, job); its result is rounded; negative = NO_RETRY', () => {
    const calls: unknown[][] = [];
    const fn = (n: number, e: unknown, j: Job) => {
      calls.push([n, e, j]);
      return n * 1000 + 0.4;
    };
    expect(backoffDelay(fn, 2, err, job)).toBe(2000);
    expect(calls).toEqual([[2, err, job]]);
    expect(backoffDelay(() => -50, 1, err, job)).toBe(NO_RETRY);
    expect(backoffDelay(() => NO_RETRY, 1, err, job)).toBe(NO_RETRY);
  });

  it('a function may return a promise: the delay is awaited and checked the same way', async () => {
    await expect(backoffDelay(async () => 1500.4, 1, err, job)).resolves.toBe(1500);
    await expect(backoffDelay(async () => -1, 1, err, job)).resolves.toBe(NO_RETRY);
    await expect(backoffDelay(async () => NaN, 1, err, job)).rejects.toThrow(/backoff/);
  });

  it('a function that returns no finite number is an error, not a silent zero', () => {
    expect(() => backoffDelay(() => NaN, 1, err, job)).toThrow(/backoff/);
    expect(() => backoffDelay(() => Infinity, 1, err, job)).toThrow(/backoff/);
    expect(() => backoffDelay((() => 'soon') as never, 1, err, job)).toThrow(/backoff/);
  });

  it('a function returning more than MAX_RETRY_DELAY_MS (1e300) is refused too', () => {
    expect(() => backoffDelay(() => 1e300, 1, err, job)).toThrow(/backoff/);
    expect(backoffDelay(() => MAX_RETRY_DELAY_MS, 1, err, job)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('a stored back-off beyond the cap (written before it existed) is clamped to it', () => {
    expect(backoffDelay({ type: 'fixed', delayMs: 1e300 }, 1, err, job)).toBe(MAX_RETRY_DELAY_MS);
    const e = { type: 'exponential', baseMs: 1e300, maxMs: Infinity } as const;
    expect(backoffDelay(e, 1, err, job)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('no back-off: retry at once', () => {
    expect(backoffDelay(undefined, 3, err, job)).toBe(0);
  });
});

describe('decideRetry', () => {
  const policy: RetryPolicy = { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 10 } };

  it('retries until maxAttempts attempts were made, then fails', () => {
    expect(decideRetry(policy, 1, err, job)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideRetry(policy, 2, err, job)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideRetry(policy, 3, err, job)).toEqual({ action: 'fail' });
    expect(decideRetry({ maxAttempts: 1 }, 1, err, job)).toEqual({ action: 'fail' });
  });

  it('honours a delay asked for by the error (RetryAfterError or any retryAfterMs)', () => {
    expect(decideRetry(policy, 1, new RetryAfterError(12_345), job)).toEqual({
      action: 'retry',
      delayMs: 12_345,
    });
    const e = Object.assign(new Error('429'), { retryAfterMs: 777.6 });
    expect(decideRetry(policy, 1, e, job)).toEqual({ action: 'retry', delayMs: 778 });
    // …but it still counts toward maxAttempts.
    expect(decideRetry(policy, 3, new RetryAfterError(5), job)).toEqual({ action: 'fail' });
    // A negative retryAfterMs falls back to the policy's back-off.
    const neg = Object.assign(new Error('x'), { retryAfterMs: -1 });
    expect(decideRetry(policy, 1, neg, job)).toEqual({ action: 'retry', delayMs: 10 });
  });

  it('RetryAfterError refuses a delay outside [0, MAX_RETRY_DELAY_MS] at construction', () => {
    for (const ms of [Infinity, -Infinity, 1e300, NaN, -1, MAX_RETRY_DELAY_MS + 1]) {
      let thrown: unknown;
      try {
        new RetryAfterError(ms);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(ms)).toBeInstanceOf(SluiceError);
      expect((thrown as SluiceError).code).toBe('SLC_ERR_INVALID_OPTIONS');
    }
    expect(new RetryAfterError(0).retryAfterMs).toBe(0);
    expect(new RetryAfterError(MAX_RETRY_DELAY_MS).retryAfterMs).toBe(MAX_RETRY_DELAY_MS);
  });

  it('ignores a duck-typed retryAfterMs out of range: the back-off applies', () => {
    for (const ms of [Infinity, 1e300, NaN, -1]) {
      const e = Object.assign(new Error('x'), { retryAfterMs: ms });
      expect(decideRetry(policy, 1, e, job), String(ms)).toEqual({ action: 'retry', delayMs: 10 });
    }
  });

  it('reads retryable / retryAfterMs through getters that throw', () => {
    const hostile = Object.defineProperties(
      {},
      {
        retryable: {
          get: () => {
            throw new Error('no');
          },
        },
        retryAfterMs: {
          get: () => {
            throw new Error('no');
          },
        },
      },
    );
    expect(decideRetry(policy, 1, hostile, job)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideRetry(policy, 1, Object.create(null), job)).toEqual({
      action: 'retry',
      delayMs: 10,
    });
  });

  it('never retries an unrecoverable error (UnrecoverableError or retryable: false)', () => {
    expect(decideRetry(policy, 1, new UnrecoverableError('bad input'), job)).toEqual({
      action: 'fail',
    });
    const e = Object.assign(new Error('400'), { retryable: false });
    expect(decideRetry(policy, 1, e, job)).toEqual({ action: 'fail' });
    expect(new UnrecoverableError('x').retryable).toBe(false);
  });

  it('treats thrown non-errors like errors', () => {
    expect(decideRetry(policy, 1, 'a string', job)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideRetry(policy, 1, null, job)).toEqual({ action: 'retry', delayMs: 10 });
  });

  it('the default policy: 3 attempts, 1 s × 2, at most 1 hour', () => {
    expect(DEFAULT_RETRY.maxAttempts).toBe(3);
    expect(decideRetry(DEFAULT_RETRY, 1, err, job)).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('a back-off that says NO_RETRY (or resolves to it) fails the job instead of retrying at once', async () => {
    expect(decideRetry({ maxAttempts: 5, backoff: () => NO_RETRY }, 1, err, job)).toEqual({
      action: 'fail',
    });
    await expect(
      decideRetry({ maxAttempts: 5, backoff: async () => -1 }, 1, err, job),
    ).resolves.toEqual({ action: 'fail' });
    await expect(
      decideRetry({ maxAttempts: 5, backoff: async (n) => n * 10 }, 2, err, job),
    ).resolves.toEqual({ action: 'retry', delayMs: 20 });
    expect(decideRetry(DEFAULT_RETRY, 2, err, job)).toEqual({ action: 'retry', delayMs: 2000 });
    expect(decideRetry(DEFAULT_RETRY, 3, err, job)).toEqual({ action: 'fail' });
  });
});

describe('retryProblems', () => {
  it('accepts valid policies', () => {
    expect(retryProblems(undefined, 'retry')).toEqual([]);
    expect(retryProblems({ maxAttempts: 2 }, 'retry')).toEqual([]);
    expect(
      retryProblems(
        { maxAttempts: 5, backoff: { type: 'exponential', baseMs: 1, factor: 1.5, jitter: 0.2 } },
        'retry',
      ),
    ).toEqual([]);
  });

  it('lists every problem', () => {
    expect(retryProblems('x', 'retry')).toEqual(['retry must be an object']);
    expect(
      retryProblems(
        {
          maxAttempts: 0,
          backoff: { type: 'exponential', baseMs: -1, factor: 0.5, maxMs: -3, jitter: 2 },
        },
        'retry',
      ),
    ).toEqual([
      'retry.maxAttempts must be an integer >= 1',
      'retry.backoff.baseMs must be a number >= 0',
      'retry.backoff.factor must be >= 1',
      'retry.backoff.maxMs must be >= 0',
      'retry.backoff.jitter must be between 0 and 1',
    ]);
    expect(retryProblems({ backoff: { type: 'linear' } }, 'o')).toEqual([
      "o.backoff.type must be 'fixed' or 'exponential'",
    ]);
    expect(retryProblems({ backoff: { type: 'fixed', delayMs: Infinity } }, 'o')).toEqual([
      'o.backoff.delayMs must be a number >= 0',
    ]);
    expect(retryProblems({ backoff: { type: 'fixed', delayMs: '5' } }, 'o')).toEqual([
      'o.backoff.delayMs must be a number >= 0',
    ]);
    expect(retryProblems({ maxAttempts: 1.5 }, 'o')).toEqual([
      'o.maxAttempts must be an integer >= 1',
    ]);
  });
});
