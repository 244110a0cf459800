/**
 * BullMQ's guide, "Workers", "Retrying failing jobs" and "Rate limiting" pages, translated to our
 * API and run on real Redis (see jobs.test.ts for the conventions).
 */
import { describe, expect, it } from 'vitest';
import { NO_RETRY, UnrecoverableError, type Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { deferred, sleep, useHarness } from '../queue/helpers.js';

const h = useHarness();

describe('guide/workers', () => {
  it('the processor return value is stored as the result; failures keep the reason', async () => {
    const q = h().queue('myqueue');
    const ok = await q.add('ok', { n: 2 });
    const bad = await q.add('bad', null, { maxAttempts: 1 });
    const w = h().worker<{ n: number } | null, string>('myqueue', async (job) => {
      if (job.name === 'bad') throw new Error('some error');
      return `doubled ${job.data!.n * 2}`;
    });
    const completed: [string, string][] = [];
    w.on('completed', (job, result) => completed.push([job.id, result]));
    const failed: [string, string][] = [];
    w.on('failed', (job, err) => failed.push([job.id, (err as Error).message]));
    await waitFor(() => completed.length === 1 && failed.length === 1, 'both ended');
    expect(completed).toEqual([[ok.id, 'doubled 4']]);
    expect(failed).toEqual([[bad.id, 'some error']]);
    expect((await q.getJob(ok.id))?.returnValue).toBe('doubled 4');
    expect((await q.getJob(bad.id))?.failedReason).toBe('some error');
  });

  it('updateProgress and log from the processor (job.progress, job.log) are read back', async () => {
    const q = h().queue('myqueue');
    const { id } = await q.add('x', null);
    const seen: unknown[] = [];
    const ready = new Promise<void>((r) => q.once('ready', r));
    q.on('progress', (jobId, value) => seen.push([jobId, value]));
    await ready;
    h().worker('myqueue', async (job) => {
      await job.progress(42);
      await job.log('half way');
      await job.progress({ foo: 'bar' });
    });
    await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'done');
    expect(seen).toEqual([
      [id, 42],
      [id, { foo: 'bar' }],
    ]);
    const job = (await q.getJob(id))!;
    expect(job.progressValue).toEqual({ foo: 'bar' });
    expect(job.logs).toEqual(['half way']);
  });
});

describe('guide/workers/concurrency', () => {
  it('concurrency 3: at most three jobs run at once on one worker', async () => {
    const q = h().queue('q');
    await q.addBulk(Array.from({ length: 7 }, (_, i) => ({ data: i })));
    let now = 0;
    let most = 0;
    h().worker(
      'q',
      async () => {
        most = Math.max(most, ++now);
        await sleep(30);
        now--;
      },
      { concurrency: 3 },
    );
    await waitFor(async () => (await q.stats()).completed === 7, 'all done');
    expect(most).toBe(3);
  });
});

describe('guide/queues/global-concurrency', () => {
  it('setGlobalConcurrency(1) → setLimits({ concurrency: 1 }): one job at a time across workers', async () => {
    const q = h().queue('q');
    await q.setLimits({ concurrency: 1 });
    await q.addBulk(Array.from({ length: 4 }, (_, i) => ({ data: i })));
    let now = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++now);
      await sleep(20);
      now--;
    };
    h().worker('q', work, { concurrency: 4 });
    h().worker('q', work, { concurrency: 4 });
    await waitFor(async () => (await q.stats()).completed === 4, 'all done');
    expect(most).toBe(1);
  });
});

describe('guide/workers/graceful-shutdown', () => {
  it('close() waits for the running job to finish before resolving', async () => {
    const q = h().queue('q');
    const { id } = await q.add('x', null);
    const started = deferred();
    const w = h().worker('q', async () => {
      started.resolve();
      await sleep(100);
      return 'finished';
    });
    await started.promise;
    await w.close();
    expect(await q.getJob(id)).toMatchObject({ state: 'completed', returnValue: 'finished' });
  });
});

describe('guide/workers/pausing-queues', () => {
  it('queue.pause() stops every worker taking jobs; resume() lets them go on', async () => {
    const q = h().queue('q');
    await q.pause();
    await q.add('x', null);
    const ran: string[] = [];
    h().worker('q', async (job) => void ran.push(job.id));
    await sleep(150);
    expect(ran).toEqual([]);
    expect(await q.isPaused()).toBe(true);
    await q.resume();
    await waitFor(() => ran.length === 1, 'ran after resume');
  });
});

describe('guide/workers/stalled-jobs', () => {
  it('a job whose worker died is moved back to waiting and runs again (stalled event)', async () => {
    const q = h().queue('q');
    await q.add('x', null, { id: 'j' });
    // A worker takes the job under a 100 ms lease and dies without a word.
    expect((await h().commands('q').fetch(1, 100, 'dead:1')).jobs.map((j) => j.id)).toEqual(['j']);
    const w = h().worker('q', async () => 'done', { stallCheckMs: 25 });
    const stalled: string[] = [];
    w.on('stalled', (id) => stalled.push(id));
    await waitFor(async () => (await q.getJob('j'))?.state === 'completed', 'run again');
    expect(stalled).toEqual(['j']);
    expect(await q.getJob('j')).toMatchObject({ totalStalls: 1, attemptsMade: 1 });
  });
});

describe('guide/workers/cancelling-jobs', () => {
  it('cancelJob → queue.cancel(id): the processor signal aborts and the job fails, not retried', async () => {
    const q = h().queue('q');
    const { id } = await q.add('x', null, { maxAttempts: 3 });
    const started = deferred();
    h().worker('q', async (_job, ctx) => {
      started.resolve();
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      throw ctx.signal.reason;
    });
    await started.promise;
    expect(await q.cancel(id)).toBe('cancelling');
    await waitFor(async () => (await q.getJob(id))?.state === 'failed', 'failed');
    expect(await q.getJob(id)).toMatchObject({ failedReason: 'cancelled', attemptsMade: 1 });
  });
});

describe('guide/retrying-failing-jobs', () => {
  it('attempts 3 with exponential back-off: fails twice, then completes on the third attempt', async () => {
    const q = h().queue('foo');
    const { id } = await q.add(
      'test-retry',
      { foo: 'bar' },
      { maxAttempts: 3, backoff: { type: 'exponential', baseMs: 20 } },
    );
    const w = h().worker('foo', async (job) => {
      if (job.attemptsMade < 2) throw new Error(`try ${job.attemptsMade + 1}`);
      return 'ok';
    });
    const delays: number[] = [];
    w.on('retrying', (_job, _err, delayMs) => delays.push(delayMs));
    await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'completed');
    expect(delays).toEqual([20, 40]);
    const job = (await q.getJob(id))!;
    expect(job).toMatchObject({ attemptsMade: 3, returnValue: 'ok' });
    expect(job.history.map((a) => a.error)).toEqual(['try 1', 'try 2']);
  });

  it('a custom back-off function (async allowed) decides the delay; NO_RETRY (-1) stops', async () => {
    const q = h().queue('foo');
    const { id } = await q.add('x', null);
    const w = h().worker(
      'foo',
      async () => {
        throw new Error('nope');
      },
      {
        retry: {
          maxAttempts: 5,
          backoff: async (attemptsMade) => (attemptsMade >= 2 ? NO_RETRY : attemptsMade * 10),
        },
      },
    );
    const delays: number[] = [];
    w.on('retrying', (_job, _err, d) => delays.push(d));
    await waitFor(async () => (await q.getJob(id))?.state === 'failed', 'failed');
    expect(delays).toEqual([10]);
    expect((await q.getJob(id))?.attemptsMade).toBe(2);
  });

  it('UnrecoverableError fails the job at once, whatever attempts are left', async () => {
    const q = h().queue('foo');
    const { id } = await q.add('x', null, { maxAttempts: 5 });
    h().worker('foo', async () => {
      throw new UnrecoverableError('bad input');
    });
    await waitFor(async () => (await q.getJob(id))?.state === 'failed', 'failed');
    expect(await q.getJob(id)).toMatchObject({ attemptsMade: 1, failedReason: 'bad input' });
  });

  it('by design the default is 3 attempts (BullMQ: 1), set on the worker', async () => {
    const q = h().queue('foo');
    const { id } = await q.add('x', null);
    h().worker(
      'foo',
      async () => {
        throw new Error('boom');
      },
      { retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 1 } } },
    );
    await waitFor(async () => (await q.getJob(id))?.state === 'failed', 'failed');
    expect((await q.getJob(id))?.attemptsMade).toBe(3);
  });

  it('retries failed jobs by hand (retryJobs / job.retry → retryFailed)', async () => {
    const q = h().queue('foo');
    const { id } = await q.add('x', null, { maxAttempts: 1 });
    let fail = true;
    h().worker('foo', async () => {
      if (fail) throw new Error('once');
    });
    await waitFor(async () => (await q.getJob(id))?.state === 'failed', 'failed');
    fail = false;
    expect(await q.retryFailed([id])).toBe(1);
    await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'completed');
  });
});

describe('guide/rate-limiting', () => {
  it('limiter { max: 2, duration } → setLimits({ rateLimit }): two jobs start per window', async () => {
    const q = h().queue('painter');
    await q.setLimits({ rateLimit: { max: 2, durationMs: 60_000 } });
    await q.addBulk(Array.from({ length: 5 }, (_, i) => ({ data: i })));
    const started: Job[] = [];
    h().worker('painter', async (job) => void started.push(job), { concurrency: 5 });
    await waitFor(() => started.length === 2, 'two started');
    await sleep(200);
    expect(started).toHaveLength(2);
    expect((await q.stats()).waiting).toBe(3);
  });

  it('Worker.RateLimitError / rateLimit(ms) → throw RateLimitError: no attempt is counted', async () => {
    const { RateLimitError } = await import('../../src/index.js');
    const q = h().queue('painter');
    const { id } = await q.add('x', null);
    let calls = 0;
    h().worker('painter', async () => {
      if (++calls === 1) throw new RateLimitError(50);
      return 'painted';
    });
    await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'completed');
    expect(calls).toBe(2);
    expect((await q.getJob(id))?.attemptsMade).toBe(1);
  });
});
