/**
 * Progress and logs: written by the handler through its job (fenced by the lease token, bounded
 * per job), read with getJob and the queue's `progress` event, deleted with the job.
 */
import { describe, expect, it } from 'vitest';
import { Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

const h = useHarness();

describe('job.progress and job.log', () => {
  it('are visible with getJob while the job runs and after it completed, and as events', async () => {
    const q = h().queue('pl');
    const seen: [string, unknown][] = [];
    q.on('progress', (id, value) => seen.push([id, value]));
    await new Promise<void>((resolve) => q.once('ready', resolve));
    await q.add('x', null, { id: 'job' });
    const go = deferred();
    const w = h().worker('pl', async (job) => {
      await job.progress({ done: 1, of: 2 });
      expect(await job.log('first')).toBe(1);
      await job.progress({ done: 2, of: 2 });
      expect(await job.log('second')).toBe(2);
      await go.promise;
      return 'ok';
    });
    await waitFor(async () => (await q.getJob('job'))?.logs.length === 2, 'two lines');
    const running = await q.getJob('job');
    expect(running).toMatchObject({ state: 'active', progressValue: { done: 2, of: 2 } });
    expect(running?.logs).toEqual(['first', 'second']);
    go.resolve();
    await waitFor(async () => (await q.getJob('job'))?.state === 'completed', 'completed');
    await w.close();
    const done = await q.getJob('job');
    expect(done?.progressValue).toEqual({ done: 2, of: 2 });
    expect(done?.toJSON()).toMatchObject({
      progress: { done: 2, of: 2 },
      logs: ['first', 'second'],
    });
    await waitFor(() => seen.length === 2, 'progress events');
    expect(seen).toEqual([
      ['job', { done: 1, of: 2 }],
      ['job', { done: 2, of: 2 }],
    ]);
    // Removing the job removes its progress and log.
    expect(await q.remove('job')).toBe(true);
    const k = h().keys('pl');
    expect(await h().redis.exists(k.progress, k.logs)).toBe(0);
  });

  it('are bounded: the newest lines are kept, a large progress is refused', async () => {
    const q = h().queue('pb');
    await q.add('x', null, { id: 'job' });
    const errors: unknown[] = [];
    const w = h().worker('pb', async (job) => {
      for (let i = 0; i < 150; i++) await job.log(`line ${i}`);
      await job.progress('x'.repeat(5000)).catch((e: unknown) => errors.push(e));
      await job.log('y'.repeat(5000)); // cut to 2,048 characters and a note
    });
    await waitFor(async () => (await q.getJob('job'))?.state === 'completed', 'completed');
    await w.close();
    const job = await q.getJob('job');
    expect(job?.logs).toHaveLength(100);
    expect(job?.logs[0]).toBe('line 51');
    expect(job?.logs[98]).toBe('line 149');
    expect(job?.logs[99]).toBe(`${'y'.repeat(2048)}… [cut 2952]`);
    expect(errors).toMatchObject([{ code: 'SLC_ERR_PAYLOAD_TOO_LARGE' }]);
    expect(job?.progressValue).toBeUndefined();

    // 16 KiB of lines at most: 20 lines of 2,000 characters keep the newest 8.
    await q.add('x', null, { id: 'big' });
    const w2 = h().worker('pb', async (job) => {
      for (let i = 0; i < 20; i++) await job.log(String(i % 10).repeat(2000));
    });
    await waitFor(async () => (await q.getJob('big'))?.state === 'completed', 'completed');
    await w2.close();
    const big = await q.getJob('big');
    expect(big?.logs.map((l) => l[0])).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('are fenced by the lease: a handler that lost its job cannot write to it', async () => {
    const q = h().queue('pf');
    await q.add('x', null, { id: 'job' });
    const lost = deferred<unknown>();
    const w = h().worker(
      'pf',
      async (job, ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        lost.resolve(await job.progress(1).catch((e: unknown) => e));
      },
      { leaseMs: 1000, heartbeatMs: 50 },
    );
    await waitFor(async () => (await q.getJob('job'))?.state === 'active', 'active');
    await h().redis.hset(h().keys('pf').lease, 'job', 'someone-else');
    expect(await lost.promise).toMatchObject({ code: 'SLC_ERR_LEASE_LOST' });
    await w.close();
    expect(await h().redis.hexists(h().keys('pf').progress, 'job')).toBe(0);
    // A job read with getJob is a snapshot: it has no handler to report for.
    const read = (await q.getJob('job')) as Job;
    await expect(read.progress(1)).rejects.toMatchObject({ code: 'SLC_ERR_JOB_STATE' });
  });

  it('are deleted with a job that completes with keepCompleted: false', async () => {
    const q = h().queue('pd');
    await q.add('x', null, { id: 'job' });
    const w = h().worker(
      'pd',
      async (job) => {
        await job.progress(50);
        await job.log('hello');
      },
      { keepCompleted: false },
    );
    await waitFor(async () => (await q.getJob('job')) === undefined, 'deleted');
    await w.close();
    const k = h().keys('pd');
    expect(await h().redis.exists(k.progress, k.logs, k.cancel)).toBe(0);
  });
});
