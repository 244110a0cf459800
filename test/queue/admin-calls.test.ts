/** Admin calls a BullMQ user reaches for: promoteAll, rerun, removeDedupKey, priorityCounts, deep pages. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { caught, useHarness } from './helpers.js';

const h = useHarness();

describe('promoteAll', () => {
  it('moves every delayed job to waiting, past one step, keeping priority and group', async () => {
    const q = h().queue('pa');
    await q.addBulk(Array.from({ length: 1500 }, (_, i) => ({ data: i, opts: { delay: 60_000 } })));
    await q.add('x', 'p', { id: 'p', delay: 60_000, priority: 'high' });
    await q.add('x', 'g', { id: 'g', delay: 60_000, group: 'acct' });
    expect(await q.promoteAll({ limit: 10 })).toBe(10);
    expect((await q.stats()).delayed).toBe(1492);
    expect(await q.promoteAll()).toBe(1492);
    const s = await h().state('pa');
    expect(s.delayed).toEqual({});
    expect(s.prio).toEqual(['p']);
    expect(s.waiting).toHaveLength(1500);
    expect((await q.getJob('g'))!.state).toBe('waiting');
    expect(await q.promoteAll()).toBe(0);
  });
});

describe('rerun', () => {
  it('runs a completed job again with a fresh attempt count; refuses others', async () => {
    const q = h().queue('rr');
    let runs = 0;
    h().worker('rr', async () => ++runs);
    await q.add('x', 1, { id: 'a' });
    await waitFor(async () => (await q.getJob('a'))?.state === 'completed', 'first run');
    await q.rerun('a');
    await waitFor(async () => (await q.getJob('a'))?.returnValue === 2, 'second run');
    expect(runs).toBe(2);
    await q.add('x', 1, { id: 'later', delay: 60_000 });
    expect((await caught(() => q.rerun('later'))).code).toBe('SLC_ERR_JOB_STATE');
    expect((await caught(() => q.rerun('nope'))).code).toBe('SLC_ERR_JOB_NOT_FOUND');
  });
});

describe('removeDedupKey', () => {
  it('releases a key held by a waiting job: the next add creates a job', async () => {
    const q = h().queue('rdk');
    const first = await q.add('x', 1, { dedupKey: 'k' });
    expect((await q.add('x', 1, { dedupKey: 'k' })).created).toBe(false);
    expect(await q.removeDedupKey('k')).toBe(true);
    expect(await h().redis.hexists(h().keys('rdk').dedup, 'k')).toBe(0);
    const second = await q.add('x', 1, { dedupKey: 'k' });
    expect(second.created).toBe(true);
    expect(second.id).not.toBe(first.id);
    expect(await q.removeDedupKey('none')).toBe(false);
  });
});

describe('priorityCounts', () => {
  it('counts waiting jobs per priority, tombstones and groups aside', async () => {
    const q = h().queue('pc');
    for (const id of ['a', 'b', 'c']) await q.add('x', id, { id });
    await q.remove('b'); // the middle of the list: a tombstone, not a job
    await q.addBulk([
      { data: 1, opts: { priority: 'high' } },
      { data: 2, opts: { priority: 'high' } },
      { data: 3, opts: { priority: -1000 } },
      { data: 4, opts: { priority: 1000 } },
      { data: 5, opts: { group: 'g' } },
      { data: 6, opts: { delay: 60_000, priority: 7 } },
    ]);
    expect(await q.priorityCounts()).toEqual({
      byPriority: { 1000: 1, 10: 2, 0: 2, [-1000]: 1 },
      grouped: 1,
    });
    expect(await h().queue('pc-empty').priorityCounts()).toEqual({ byPriority: {}, grouped: 0 });
  });
});

describe('getJobs past 1,000', () => {
  it('pages every state by offset beyond the first 1,000, with no gap or repeat', async () => {
    const q = h().queue<number>('deep');
    await q.addBulk(Array.from({ length: 2300 }, (_, i) => ({ data: i })));
    const seen: number[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await q.getJobs('waiting', { offset, limit: 1000 });
      expect(page.total).toBe(2300);
      if (page.jobs.length === 0) break;
      seen.push(...page.jobs.map((j) => j.data));
    }
    expect(seen).toEqual(Array.from({ length: 2300 }, (_, i) => i));
  });
});

describe('on a partitioned queue', () => {
  it('finds the job in its partition and sums over partitions', async () => {
    const q = h().queue('pad', { partitions: 3 });
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await q.add('x', id, { id, delay: 60_000, dedupKey: `k-${id}` });
    await q.changePriority('a', 'high');
    await q.updateData('b', 'B');
    expect((await q.getJob('b'))!.data).toBe('B');
    expect(await q.changeDelay('c', 120_000)).toBeGreaterThan(0);
    expect((await caught(() => q.changeDelay('zz', 1))).code).toBe('SLC_ERR_JOB_NOT_FOUND');
    expect(await q.removeDedupKey('k-d')).toBe(true);
    expect(await q.removeDedupKey('k-d')).toBe(false);
    expect(await q.clear()).toBe(0); // delayed kept
    expect(await q.promoteAll()).toBe(4);
    expect((await q.priorityCounts()).byPriority).toEqual({ 10: 1, 0: 3 });
    const done = q.waitUntilFinished('a', 10_000);
    h().worker('pad', async (job) => `${String(job.data)}!`, { partitions: 3 });
    expect(await done).toBe('a!');
    await waitFor(async () => (await q.stats()).completed === 4, 'all ran');
    await q.rerun('d');
    expect(await q.waitUntilFinished('d', 10_000)).toBe('d!');
  });

  it('cancels a job in whichever partition holds it; refuses schedules (none would run)', async () => {
    const q = h().queue('pcancel', { partitions: 3 });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) await q.add('x', id, { id, delay: 60_000 });
    for (const id of ids) expect(await q.cancel(id)).toBe('removed');
    expect((await q.stats()).delayed).toBe(0);
    expect((await caught(() => q.cancel('zz'))).code).toBe('SLC_ERR_JOB_NOT_FOUND');
    expect(await caught(() => q.schedule('tick', { everyMs: 1000 }))).toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
      message: expect.stringContaining('not supported on a partitioned queue'),
    });
    expect(await q.unschedule('tick')).toBe(false); // removing one is still allowed
  });
});
