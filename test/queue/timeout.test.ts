/**
 * Per-job timeouts: past `timeoutMs` (the worker's, or a job's own) the handler's signal fires
 * with a `JobTimeoutError`, the attempt fails and the retry policy applies; a handler that
 * ignores the signal has lost the job: its late result is rejected by the lease token.
 */
import { describe, expect, it } from 'vitest';
import { JobTimeoutError, Queue } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

const h = useHarness();

describe('timeoutMs', () => {
  it('aborts the handler and fails the attempt; the retry policy applies', async () => {
    const q = h().queue('t1');
    await q.add('x', null, { id: 'job' });
    const reasons: unknown[] = [];
    const retrying: string[] = [];
    const w = h().worker(
      't1',
      async (job, ctx) => {
        if (job.attemptsMade > 0) return 'second try';
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        reasons.push(ctx.signal.reason);
        throw ctx.signal.reason;
      },
      { timeoutMs: 100, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } } },
    );
    w.on('retrying', (job) => retrying.push(job.id));
    await waitFor(async () => (await q.getJob('job'))?.state === 'completed', 'completed');
    await w.close();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(JobTimeoutError);
    expect(reasons[0]).toMatchObject({ code: 'SLC_ERR_TIMEOUT', jobId: 'job', timeoutMs: 100 });
    expect(retrying).toEqual(['job']);
    const job = await q.getJob('job');
    expect(job?.history.map((a) => a.error)).toEqual(['job job timed out after 100 ms']);
    expect(job?.returnValue).toBe('second try');
  });

  it("rejects the late result of a handler that ignores the signal (a job's own timeout)", async () => {
    const q: Queue = h().queue('t2');
    await q.add('x', null, { id: 'job', timeoutMs: 100, maxAttempts: 1 });
    const late = deferred();
    const events: string[] = [];
    const w = h().worker('t2', async () => {
      await late.promise; // ignores its signal
      return 'too late';
    });
    for (const ev of ['completed', 'failed', 'lease-lost'] as const)
      w.on(ev, () => events.push(ev));
    await waitFor(async () => (await q.getJob('job'))?.state === 'failed', 'failed by timeout');
    expect(w.running).toBe(0); // its slot is free although the handler still runs
    late.resolve();
    await waitFor(() => events.includes('lease-lost'), 'late result rejected');
    await w.close();
    expect(events).toEqual(['failed', 'lease-lost']);
    const job = await q.getJob('job');
    expect(job).toMatchObject({
      state: 'failed',
      failedReason: 'job job timed out after 100 ms',
      returnValue: undefined,
    });
    expect(await h().redis.hexists(h().keys('t2').results, 'job')).toBe(0);
    expect(await h().redis.hexists(h().keys('t2').lease, 'job')).toBe(0);
  });

  it('does not arm a timer for a job without a timeout, and validates the option', async () => {
    const q = h().queue('t3');
    await expect(q.add('x', null, { timeoutMs: 0 })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
    expect(() => h().worker('t3', () => {}, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    await q.add('x', null, { id: 'slow' });
    const w = h().worker('t3', () => new Promise((r) => setTimeout(() => r('done'), 300)));
    await waitFor(async () => (await q.getJob('slow'))?.state === 'completed', 'completed');
    await w.close();
  });
});
