/** Job mutation (updateData, changeDelay, changePriority) and waiting for a job's outcome. */
import { describe, expect, it } from 'vitest';
import { JobFailedError, TimeoutError, type Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { caught, deferred, useHarness } from './helpers.js';

const h = useHarness();

/** A worker holding job `held` until `release` is called. */
async function holdOne(queue: string) {
  const started = deferred<Job>();
  const release = deferred();
  h().worker(queue, async (job) => {
    started.resolve(job);
    await release.promise;
    return 'finished';
  });
  await h().queue(queue).add('x', { v: 0 }, { id: 'held' });
  await started.promise;
  return release.resolve;
}

describe('updateData', () => {
  it('replaces the data of a waiting job, keeping name, options and place', async () => {
    const q = h().queue('mut');
    await q.add('sync', { v: 1 }, { id: 'a', meta: { userId: 'u|1' }, maxAttempts: 2 });
    await q.add('sync', { v: 1 }, { id: 'b' });
    await q.updateData('a', { v: 2, text: 'with | bars' });
    const job = (await q.getJob('a'))!;
    expect(job.data).toEqual({ v: 2, text: 'with | bars' });
    expect(job.name).toBe('sync');
    expect(job.options.maxAttempts).toBe(2);
    expect(job.meta.userId).toBe('u|1');
    expect((await h().state('mut')).waiting).toEqual(['a', 'b']);
  });

  it('refuses an active job (SLC_ERR_JOB_STATE) and a missing one', async () => {
    const release = await holdOne('mutact');
    const q = h().queue('mutact');
    expect((await caught(() => q.updateData('held', { v: 9 }))).code).toBe('SLC_ERR_JOB_STATE');
    expect((await caught(() => q.changePriority('held', 5))).code).toBe('SLC_ERR_JOB_STATE');
    expect((await caught(() => q.changeDelay('held', 5))).code).toBe('SLC_ERR_JOB_STATE');
    expect((await q.getJob('held'))!.data).toEqual({ v: 0 });
    expect((await caught(() => q.updateData('nope', 1))).code).toBe('SLC_ERR_JOB_NOT_FOUND');
    release();
  });
});

describe('changeDelay', () => {
  it('moves the due time of a delayed job; refuses a waiting one', async () => {
    const q = h().queue('cd');
    await q.add('x', 1, { id: 'd', delay: 3_600_000 });
    await q.add('x', 1, { id: 'w' });
    const before = (await h().state('cd')).delayed.d!;
    const due = await q.changeDelay('d', 7_200_000);
    expect(due).toBeGreaterThan(before + 3_000_000);
    expect((await h().state('cd')).delayed).toEqual({ d: due });
    expect((await caught(() => q.changeDelay('w', 10))).code).toBe('SLC_ERR_JOB_STATE');
    expect((await caught(() => q.changeDelay('d', -1))).code).toBe('SLC_ERR_INVALID_OPTIONS');
    // due now: a worker runs it
    await q.changeDelay('d', 0);
    h().worker('cd', async () => 'ok');
    await waitFor(async () => (await q.getJob('d'))?.state === 'completed', 'd ran');
  });
});

describe('changePriority', () => {
  it('reorders waiting jobs, plain (middle of the list) and prioritised', async () => {
    const q = h().queue('cp');
    for (const id of ['a', 'b', 'c']) await q.add('x', id, { id });
    await q.add('x', 'p', { id: 'p', priority: 5 });
    await q.changePriority('b', 'high'); // middle of the wait list: a tombstone stays behind
    await q.changePriority('p', 0);
    expect((await q.getJob('b'))!.priority).toBe(10);
    const s = await h().state('cp');
    expect(s.prio).toEqual(['b']);
    expect(s.waiting).toEqual(['a', 'b', 'c', 'p']);
    const order: string[] = [];
    h().worker('cp', async (job) => void order.push(job.id), { concurrency: 1 });
    await waitFor(async () => (await q.stats()).completed === 4, 'all ran');
    expect(order).toEqual(['b', 'a', 'c', 'p']);
  });

  it('moves a grouped waiting job inside its group; a delayed job keeps it for later', async () => {
    const q = h().queue('cpg');
    await q.add('x', 1, { id: 'g1', group: 'acct' });
    await q.add('x', 2, { id: 'g2', group: 'acct' });
    await q.add('x', 3, { id: 'd', delay: 3_600_000 });
    await q.changePriority('g2', 'high');
    await q.changePriority('d', -5);
    expect((await q.getJobs('waiting')).jobs.map((j) => j.id)).toEqual(['g2', 'g1']);
    await q.promote('d');
    expect((await h().state('cpg')).prio).toEqual(['d']);
    expect((await caught(() => q.changePriority('d', 5000))).code).toBe('SLC_ERR_INVALID_OPTIONS');
  });
});

describe('waitUntilFinished', () => {
  it('resolves with the return value of a job that completes later', async () => {
    const q = h().queue('wuf');
    const { id } = await q.add('x', { n: 2 });
    const result = q.waitUntilFinished(id, 10_000);
    h().worker('wuf', async (job: Job<{ n: number }>) => job.data.n * 21);
    expect(await result).toBe(42);
    // already finished: settles at once from the stored state
    expect(await q.waitUntilFinished(id, 10_000)).toBe(42);
  });

  it('rejects with JobFailedError, TimeoutError and not-found', async () => {
    const q = h().queue('wuf2');
    const { id } = await q.add('x', 1, { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1 } });
    const failed = caught(() => q.waitUntilFinished(id, 10_000));
    h().worker('wuf2', async () => {
      throw new Error('boom');
    });
    const err = await failed;
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err).toMatchObject({ code: 'SLC_ERR_JOB_FAILED', jobId: id, failedReason: 'boom' });
    expect((await q.getJob(id))!.attemptsMade).toBe(2); // the first failed attempt did not settle it
    const q3 = h().queue('wuf3');
    const later = await q3.add('x', 1, { delay: 3_600_000 });
    const t = await caught(() => q3.waitUntilFinished(later.id, 200));
    expect(t).toBeInstanceOf(TimeoutError);
    expect(t.code).toBe('SLC_ERR_TIMEOUT');
    expect((await caught(() => q3.waitUntilFinished('nope', 1000))).code).toBe(
      'SLC_ERR_JOB_NOT_FOUND',
    );
  });
});

it('waits for many jobs at once with one pair of listeners', async () => {
  const q = h().queue('wmany');
  const added = await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ data: i })));
  const results = Promise.all(added.map((a) => q.waitUntilFinished(a.id, 10_000)));
  h().worker('wmany', async (job: Job<number>) => job.data * 2);
  expect(await results).toEqual(Array.from({ length: 30 }, (_, i) => i * 2));
  expect(q.listenerCount('completed')).toBe(1);
  expect(q.listenerCount('failed')).toBe(1);
});
