/**
 * Cancellation from any process: a waiting or delayed job is removed (grouped ones from their
 * group's line), an active one is aborted on whichever worker runs it — here a worker in another
 * process — and ends as failed with reason `cancelled`, not retried; a late result is rejected.
 */
import { describe, expect, it } from 'vitest';
import { JobCancelledError } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';
import { WorkerProcess } from './worker-process.js';

const h = useHarness();

describe('queue.cancel', () => {
  it('removes a waiting or delayed job, and refuses unknown and finished ones', async () => {
    const q = h().queue('cw');
    await q.add('x', 1, { id: 'w' });
    await q.add('x', 2, { id: 'd', delay: 60_000 });
    await q.add('x', 3, { id: 'p', priority: 'high' });
    expect(await q.cancel('w')).toBe('removed');
    expect(await q.cancel('d')).toBe('removed');
    expect(await q.cancel('p')).toBe('removed');
    const s = await h().state('cw');
    expect(s.waiting).toEqual([]);
    expect(s.prio).toEqual([]);
    expect(s.delayed).toEqual({});
    expect(s.jobs).toEqual([]);
    expect(await q.getJob('w')).toBeUndefined();
    await expect(q.cancel('nope')).rejects.toMatchObject({ code: 'SLC_ERR_JOB_NOT_FOUND' });

    await q.add('x', 4, { id: 'done' });
    const w = h().worker('cw', () => 'ok');
    await waitFor(async () => (await q.getJob('done'))?.state === 'completed', 'completed');
    await w.close();
    await expect(q.cancel('done')).rejects.toMatchObject({ code: 'SLC_ERR_JOB_STATE' });
  });

  it('takes a waiting grouped job out of its line, and an active one frees its slot', async () => {
    const q = h().queue('cg');
    for (const id of ['a', 'b', 'c']) await q.add('x', id, { id, group: 'acct' });
    const ran: string[] = [];
    const aborted = deferred<unknown>();
    const w = h().worker<string>('cg', async (job, ctx) => {
      ran.push(job.id);
      if (job.id === 'a') {
        // the group runs one at a time: b and c wait behind a until a's slot is freed
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.resolve(ctx.signal.reason);
        throw ctx.signal.reason;
      }
    });
    await waitFor(() => ran.length === 1, 'a running');
    expect(await q.cancel('b')).toBe('removed');
    expect(await q.cancel('a')).toBe('cancelling');
    expect(await aborted.promise).toBeInstanceOf(JobCancelledError);
    await waitFor(() => ran.length === 2, 'c ran after a was cancelled');
    expect(ran).toEqual(['a', 'c']);
    await w.close();
    const a = await q.getJob('a');
    expect(a).toMatchObject({ state: 'failed', failedReason: 'cancelled', attemptsMade: 1 });
    expect(await h().redis.zcard(h().keys('cg').gwait)).toBe(0);
    expect(await h().redis.hgetall(h().keys('cg').gof)).toEqual({});
    expect(await h().redis.hgetall(h().keys('cg').gstate)).toEqual({});
    expect(await h().redis.hgetall(h().keys('cg').cancel)).toEqual({});
  });

  it('reaches a worker in another process over the channel; the job fails, not retried', async () => {
    const q = h().queue('cx');
    // Heartbeat every 20 s: the abort can only have come over the cancel channel.
    const p = await WorkerProcess.start({
      url: redisUrl(),
      prefix: h().prefix,
      queue: 'cx',
      label: 'P',
      mode: 'hold', // ignores the signal and returns when told to
      options: { leaseMs: 60_000, retry: { maxAttempts: 5 } },
    });
    await q.add('x', null, { id: 'job' });
    await p.next((m) => m.ev === 'active', 'job started');
    expect(await q.cancel('job')).toBe('cancelling');
    const aborted = await p.next((m) => m.ev === 'aborted', 'handler aborted', 5_000);
    expect(aborted).toMatchObject({ id: 'job', code: 'SLC_ERR_CANCELLED' });
    await p.next((m) => m.ev === 'failed', 'job failed');
    expect(await q.getJob('job')).toMatchObject({
      state: 'failed',
      failedReason: 'cancelled',
      attemptsMade: 1,
    });
    // The handler ignored its signal and returns now: its result is rejected by the token.
    p.send({ cmd: 'finish', id: 'job' });
    await p.next((m) => m.ev === 'lease-lost', 'late result rejected');
    const job = await q.getJob('job');
    expect(job).toMatchObject({ state: 'failed', returnValue: undefined });
    expect(await h().redis.hexists(h().keys('cx').results, 'job')).toBe(0);
    expect(p.ids('completed')).toEqual([]);
    expect(await h().redis.hgetall(h().keys('cx').cancel)).toEqual({});
    await p.close();
  });

  it('is caught by the heartbeat when the channel message was missed', async () => {
    const q = h().queue('ch');
    const aborted = deferred<unknown>();
    const w = h().worker(
      'ch',
      async (_job, ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.resolve(ctx.signal.reason);
      },
      { leaseMs: 1_000, heartbeatMs: 50 },
    );
    await q.add('x', null, { id: 'job' });
    await waitFor(async () => (await q.getJob('job'))?.state === 'active', 'active');
    // A mark without the message: what a worker that was reconnecting would have missed. The
    // extras flag first, as `cancel` sets both at once: a heartbeat between the two writes would
    // otherwise fail the job while the finishing script still skips the (unflagged) marks.
    await h().redis.hset(h().keys('ch').meta, 'x', '1');
    await h().redis.hset(h().keys('ch').cancel, 'job', '1');
    expect(await aborted.promise).toMatchObject({ code: 'SLC_ERR_CANCELLED' });
    await waitFor(async () => (await q.getJob('job'))?.state === 'failed', 'failed');
    await w.close();
    expect(await h().redis.hgetall(h().keys('ch').cancel)).toEqual({});
  });
});
