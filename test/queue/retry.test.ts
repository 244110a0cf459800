/**
 * Retries and back-off on real Redis. Asserts the *scheduled* time of each retry (the delayed
 * score minus the failure time, both on Redis's clock), never how fast anything ran: each retry
 * is promoted by hand so the test does not wait for the back-off.
 */
import { describe, expect, it } from 'vitest';
import {
  NO_RETRY,
  RetryAfterError,
  UnrecoverableError,
  type Job,
  type RetryPolicy,
  type Worker,
} from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

/** Records a worker's outcome events. */
function outcomes<D, R>(w: Worker<D, R>) {
  const o = {
    retrying: [] as [string, number][],
    failed: [] as string[],
    completed: [] as string[],
  };
  w.on('retrying', (job, _e, delayMs) => o.retrying.push([job.id, delayMs]));
  w.on('failed', (job) => o.failed.push(job.id));
  w.on('completed', (job) => o.completed.push(job.id));
  return o;
}

/** The scheduled delay of delayed job `id`: its due time minus the time its last attempt failed. */
async function scheduledDelay(queue: string, id: string): Promise<number> {
  const s = await h().state(queue);
  const due = s.delayed[id];
  const last = s.info[id]?.history?.at(-1);
  if (due === undefined || !last) throw new Error(`job ${id} is not delayed after a failure`);
  return due - last.at;
}

/** Runs a failing job through every attempt, returning the scheduled delay after each failure. */
async function scheduleOf(retry: RetryPolicy | undefined): Promise<number[]> {
  const q = h().queue('retry');
  const w = h().worker(
    'retry',
    async () => {
      throw new Error('nope');
    },
    retry ? { retry } : {},
  );
  const o = outcomes(w);
  const { id } = await q.add('x', null);
  const delays: number[] = [];
  for (;;) {
    await waitFor(() => o.retrying.length > delays.length || o.failed.length > 0, 'an outcome');
    if (o.failed.length > 0) break;
    const d = await scheduledDelay('retry', id);
    expect(o.retrying.at(-1)).toEqual([id, d]);
    expect((await q.getJob(id))!.timestamp! - d).toBe(
      (await h().state('retry')).info[id]!.history!.at(-1)!.at,
    );
    delays.push(d);
    await q.promote(id);
  }
  const job = (await q.getJob(id))!;
  expect(job.state).toBe('failed');
  expect(job.attemptsMade).toBe(delays.length + 1);
  return delays;
}

describe('back-off schedule', () => {
  it('exponential: base × factor^(n-1), capped at max; then dead letter', async () => {
    const delays = await scheduleOf({
      maxAttempts: 5,
      backoff: { type: 'exponential', baseMs: 10_000, factor: 3, maxMs: 60_000 },
    });
    expect(delays).toEqual([10_000, 30_000, 60_000, 60_000]);
  });

  it('fixed: the same delay every time', async () => {
    const delays = await scheduleOf({
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 45_000 },
    });
    expect(delays).toEqual([45_000, 45_000]);
  });

  it('the default policy: 3 attempts, 1 s then 2 s', async () => {
    expect(await scheduleOf(undefined)).toEqual([1000, 2000]);
  });

  it('jitter spreads fixed delays within [1 - jitter, 1] × delay', async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async () => {
        throw new Error('nope');
      },
      {
        concurrency: 10,
        retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10_000, jitter: 0.5 } },
      },
    );
    const o = outcomes(w);
    const added = await q.addBulk(Array.from({ length: 10 }, (_, i) => ({ data: i })));
    await waitFor(() => o.retrying.length === 10, '10 retries');
    const delays = await Promise.all(added.map((a) => scheduledDelay('retry', a.id)));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(5000);
      expect(d).toBeLessThanOrEqual(10_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('a custom function sees the job, its data and the error', async () => {
    const q = h().queue<{ extra: number }>('retry');
    const seen: [number, string, number][] = [];
    const w = h().worker<{ extra: number }>(
      'retry',
      async (job) => {
        throw new Error(`fail ${job.attemptsMade + 1}`);
      },
      {
        retry: {
          maxAttempts: 3,
          backoff: (n, err, job) => {
            const extra = (job as Job<{ extra: number }>).data.extra;
            seen.push([n, (err as Error).message, extra]);
            return n * 1000 + extra;
          },
        },
      },
    );
    const o = outcomes(w);
    const { id } = await q.add('x', { extra: 7 });
    await waitFor(() => o.retrying.length === 1, 'first retry');
    expect(await scheduledDelay('retry', id)).toBe(1007);
    await q.promote(id);
    await waitFor(() => o.retrying.length === 2, 'second retry');
    expect(await scheduledDelay('retry', id)).toBe(2007);
    await q.promote(id);
    await waitFor(() => o.failed.length === 1, 'dead letter');
    expect(seen).toEqual([
      [1, 'fail 1', 7],
      [2, 'fail 2', 7],
    ]);
  });

  it('a custom function that throws or returns NaN dead-letters the job and reports an error', async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async () => {
        throw new Error('handler error');
      },
      {
        concurrency: 2,
        retry: {
          maxAttempts: 5,
          backoff: (_n, _e, job) => {
            if (job.data === 'throw') throw new Error('backoff bug');
            return NaN;
          },
        },
      },
    );
    const errors: Error[] = [];
    w.on('error', (e) => errors.push(e));
    const o = outcomes(w);
    await q.add('x', 'throw', { id: 'throws' });
    await q.add('x', 'nan', { id: 'nan' });
    await waitFor(() => o.failed.length === 2, 'both dead-lettered');
    expect(o.retrying).toEqual([]);
    expect(errors).toHaveLength(2);
    const s = await h().state('retry');
    expect(Object.keys(s.failed).sort()).toEqual(['nan', 'throws']);
    expect(s.info.throws).toMatchObject({ attempts: 1, failedReason: 'handler error' });
  });

  it('a back-off function may be async, and NO_RETRY (-1) fails the job with no error', async () => {
    const q = h().queue<string>('retry');
    const w = h().worker<string>(
      'retry',
      async () => {
        throw new Error('handler error');
      },
      {
        concurrency: 2,
        retry: {
          maxAttempts: 5,
          backoff: async (n, _e, job) => {
            await new Promise((r) => setTimeout(r, 20));
            return job.data === 'stop' ? NO_RETRY : n * 1000 + 3;
          },
        },
      },
    );
    const errors: Error[] = [];
    w.on('error', (e) => errors.push(e));
    const o = outcomes(w);
    const { id } = await q.add('x', 'go');
    await q.add('x', 'stop', { id: 'stop' });
    await waitFor(() => o.retrying.length === 1 && o.failed.length === 1, 'both outcomes');
    expect(await scheduledDelay('retry', id)).toBe(1003);
    expect(o.failed).toEqual(['stop']);
    expect(errors).toEqual([]);
    expect((await h().state('retry')).info.stop).toMatchObject({
      attempts: 1,
      failedReason: 'handler error',
    });
  });
});

describe('what a handler can ask for', () => {
  it('RetryAfterError / retryAfterMs sets the delay, overriding the back-off', async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async (job) => {
        if (job.data === 'class') throw new RetryAfterError(45_000);
        throw Object.assign(new Error('429 Too Many Requests'), { retryAfterMs: 12_345 });
      },
      { concurrency: 2, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 1000 } } },
    );
    const o = outcomes(w);
    await q.add('x', 'class', { id: 'a' });
    await q.add('x', 'prop', { id: 'b' });
    await waitFor(() => o.retrying.length === 2, 'two retries');
    expect(await scheduledDelay('retry', 'a')).toBe(45_000);
    expect(await scheduledDelay('retry', 'b')).toBe(12_345);
    // The attempt counts: after maxAttempts it is a dead letter whatever the error asks.
    for (let i = 0; i < 2; i++) {
      const n = o.retrying.length + o.failed.length;
      await q.promote('a');
      await waitFor(() => o.retrying.length + o.failed.length > n, 'an outcome');
    }
    expect(o.failed).toEqual(['a']);
    expect((await q.getJob('a'))!.attemptsMade).toBe(3);
  });

  it('an out-of-range delay (Infinity, 1e300, NaN, negative) never parks a job for ever', async () => {
    const q = h().queue('retry');
    const asked: Record<string, number> = { inf: Infinity, huge: 1e300, nan: NaN, neg: -5 };
    const w = h().worker(
      'retry',
      async (job) => {
        const ms = asked[job.data as string]!;
        // The class refuses the value at construction (a SluiceError, thrown instead)…
        if (job.id.startsWith('class-')) throw new RetryAfterError(ms);
        // …and a duck-typed retryAfterMs out of range is ignored: the back-off applies.
        throw Object.assign(new Error('429'), { retryAfterMs: ms });
      },
      { concurrency: 8, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 5000 } } },
    );
    const o = outcomes(w);
    for (const data of Object.keys(asked)) {
      await q.add('x', data, { id: `class-${data}` });
      await q.add('x', data, { id: `prop-${data}` });
    }
    await waitFor(() => o.retrying.length === 8, 'eight retries');
    expect(o.retrying.every(([, d]) => d === 5000)).toBe(true);
    const s = await h().state('retry');
    expect(Object.keys(s.delayed)).toHaveLength(8);
    for (const id of Object.keys(s.delayed))
      expect(await scheduledDelay('retry', id), id).toBe(5000);
    const refused = (await q.getJob('class-inf'))!.history[0]!.error;
    expect(refused).toMatch(/retryAfterMs must be a finite number/);
  });

  it('a back-off function returning Infinity or 1e300 dead-letters the job, never parks it', async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async () => {
        throw new Error('handler error');
      },
      {
        retry: {
          maxAttempts: 5,
          backoff: (_n, _e, job) => (job.data === 'inf' ? Infinity : 1e300),
        },
      },
    );
    const errors: Error[] = [];
    w.on('error', (e) => errors.push(e));
    const o = outcomes(w);
    await q.add('x', 'inf', { id: 'inf' });
    await q.add('x', 'huge', { id: 'huge' });
    await waitFor(() => o.failed.length === 2, 'both dead-lettered');
    expect(o.retrying).toEqual([]);
    expect(errors.map((e) => (e.cause as Error).message)).toEqual([
      expect.stringMatching(/backoff function returned/),
      expect.stringMatching(/backoff function returned/),
    ]);
    expect((await h().state('retry')).delayed).toEqual({});
  });

  it('UnrecoverableError or retryable: false fails at once, whatever maxAttempts says', async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async (job) => {
        if (job.data === 'class') throw new UnrecoverableError('bad input');
        throw Object.assign(new Error('400 Bad Request'), { retryable: false });
      },
      { concurrency: 2, retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 1 } } },
    );
    const o = outcomes(w);
    await q.add('x', 'class', { id: 'a' });
    await q.add('x', 'prop', { id: 'b' });
    await waitFor(() => o.failed.length === 2, 'two dead letters');
    expect(o.retrying).toEqual([]);
    const s = await h().state('retry');
    expect(Object.keys(s.failed).sort()).toEqual(['a', 'b']);
    expect(s.info.a).toMatchObject({ attempts: 1, failedReason: 'bad input' });
    expect(s.info.b).toMatchObject({ attempts: 1, failedReason: '400 Bad Request' });
    expect(s.delayed).toEqual({});
  });
});

describe('per-job override', () => {
  it("a job's maxAttempts and backoff override the queue's policy", async () => {
    const q = h().queue('retry');
    const w = h().worker(
      'retry',
      async () => {
        throw new Error('nope');
      },
      { concurrency: 2, retry: { maxAttempts: 1 } },
    );
    const o = outcomes(w);
    await q.add('x', null, { id: 'plain' });
    await q.add('x', null, {
      id: 'custom',
      maxAttempts: 3,
      backoff: { type: 'exponential', baseMs: 20_000, factor: 2 },
    });
    await waitFor(() => o.failed.length === 1 && o.retrying.length === 1, 'outcomes');
    expect(o.failed).toEqual(['plain']);
    expect(await scheduledDelay('retry', 'custom')).toBe(20_000);
    await q.promote('custom');
    await waitFor(() => o.retrying.length === 2, 'second retry');
    expect(await scheduledDelay('retry', 'custom')).toBe(40_000);
    await q.promote('custom');
    await waitFor(() => o.failed.length === 2, 'dead letter');
    expect((await q.getJob('custom'))!.attemptsMade).toBe(3);
  });

  it('a retry with no back-off goes straight back to waiting, keeping its priority', async () => {
    const q = h().queue('retry');
    let runs = 0;
    const w = h().worker(
      'retry',
      async () => {
        runs++;
        if (runs === 1) throw new Error('once');
      },
      { retry: { maxAttempts: 2 } },
    );
    const o = outcomes(w);
    await q.add('x', null, { id: 'hi', priority: 'high' });
    await waitFor(() => o.completed.length === 1, 'completion');
    expect(o.retrying).toEqual([['hi', 0]]);
    expect(runs).toBe(2);
    const job = (await q.getJob('hi'))!;
    expect(job).toMatchObject({ state: 'completed', attemptsMade: 2, priority: 10 });
  });
});
