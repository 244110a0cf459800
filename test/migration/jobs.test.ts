/**
 * BullMQ's guide, "Jobs" and "Queues" pages (docs.bullmq.io/guide/...), each documented example
 * translated to our API and run on real Redis: one test per example, named after its page. Where
 * we differ by design the test asserts our behaviour and its name says so; examples with no
 * equivalent are listed in docs/migrating-from-bullmq.md.
 */
import { describe, expect, it } from 'vitest';
import { fromBullMQPriority, type Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from '../queue/helpers.js';

const h = useHarness();

describe('guide/queues (adding jobs)', () => {
  it('add(name, data) stores the job; a worker receives its name and data', async () => {
    const q = h().queue('Cars');
    const { id, created } = await q.add('paint', { color: 'red' });
    expect(created).toBe(true);
    expect(await q.getJob(id)).toMatchObject({ name: 'paint', data: { color: 'red' } });
    const seen: Job[] = [];
    h().worker('Cars', async (job) => void seen.push(job));
    await waitFor(() => seen.length === 1, 'the job ran');
    expect(seen[0]).toMatchObject({ id, name: 'paint', data: { color: 'red' } });
  });
});

describe('guide/queues/adding-bulks', () => {
  it('addBulk adds every job atomically, in order, and returns one entry per job', async () => {
    const q = h().queue('paint');
    const added = await q.addBulk([
      { name: 'job1', data: { paint: 'car' } },
      { name: 'job2', data: { paint: 'house' } },
      { name: 'job3', data: { paint: 'boat' } },
    ]);
    expect(added).toHaveLength(3);
    const { jobs } = await q.getJobs('waiting', { limit: 10 });
    expect(jobs.map((j) => j.name)).toEqual(['job1', 'job2', 'job3']);
  });
});

describe('guide/jobs/delayed', () => {
  it('delays a job: it waits in delayed and runs only once its delay passed (300 ms, not 5 s)', async () => {
    const q = h().queue('Paint');
    const { id } = await q.add('house', { color: 'white' }, { delay: 300 });
    const ran: number[] = [];
    h().worker('Paint', async (job) => void ran.push(job.processedOn!));
    expect((await q.getJob(id))?.state).toBe('delayed');
    await sleep(100);
    expect(ran).toEqual([]);
    await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'ran when due');
    // Both on Redis's clock: the attempt started no earlier than the add plus the delay.
    expect(ran[0]! - (await q.getJob(id))!.createdAt).toBeGreaterThanOrEqual(300);
  });

  it('changes the delay of a delayed job (changeDelay on the queue, by id)', async () => {
    const q = h().queue('Paint');
    const { id } = await q.add('house', null, { delay: 60_000 });
    const due = await q.changeDelay(id, 0);
    expect(due).toBeLessThanOrEqual(Date.now() + 1000);
    const done: string[] = [];
    h().worker('Paint', async (job) => void done.push(job.id));
    await waitFor(() => done.length === 1, 'ran after the delay changed');
    expect(done).toEqual([id]);
  });
});

describe('guide/jobs/prioritized', () => {
  it('paints brown (5), blue (7), pink (10): fromBullMQPriority keeps the order', async () => {
    const q = h().queue('Paint');
    await q.add('wall', { color: 'pink' }, { priority: fromBullMQPriority(10) });
    await q.add('wall', { color: 'brown' }, { priority: fromBullMQPriority(5) });
    await q.add('wall', { color: 'blue' }, { priority: fromBullMQPriority(7) });
    const order: string[] = [];
    h().worker<{ color: string }>('Paint', async (job) => void order.push(job.data.color));
    await waitFor(() => order.length === 3, 'three walls');
    expect(order).toEqual(['brown', 'blue', 'pink']);
  });

  it('by design our own numbers run the higher first, FIFO within one priority', async () => {
    const q = h().queue('Paint');
    await q.add('wall', 'low', { priority: 'low' });
    await q.add('wall', 'n1');
    await q.add('wall', 'high', { priority: 10 });
    await q.add('wall', 'n2');
    const order: unknown[] = [];
    h().worker('Paint', async (job) => void order.push(job.data));
    await waitFor(() => order.length === 4, 'four walls');
    expect(order).toEqual(['high', 'n1', 'n2', 'low']);
  });

  it('changes the priority of a waiting job (changePriority)', async () => {
    const q = h().queue('Paint');
    await q.add('wall', 'a');
    const { id } = await q.add('wall', 'b');
    await q.changePriority(id, fromBullMQPriority(1) + 2); // above normal: runs first
    const order: unknown[] = [];
    h().worker('Paint', async (job) => void order.push(job.data));
    await waitFor(() => order.length === 2, 'both');
    expect(order).toEqual(['b', 'a']);
  });

  it('counts waiting jobs per priority (getCountsPerPriority → priorityCounts)', async () => {
    const q = h().queue('Paint');
    await q.add('a', 1, { priority: fromBullMQPriority(1) });
    await q.add('a', 2, { priority: fromBullMQPriority(1) });
    await q.add('a', 3);
    expect((await q.priorityCounts()).byPriority).toEqual({ [-1]: 2, 0: 1 });
  });
});

describe('guide/jobs/job-ids', () => {
  it('a job with an existing id is not added again (by design: created false tells you)', async () => {
    const q = h().queue('Paint');
    const first = await q.add('wall', { color: 'pink' }, { id: 'wall-1' });
    const again = await q.add('wall', { color: 'blue' }, { id: 'wall-1' });
    expect(first).toEqual({ id: 'wall-1', created: true });
    expect(again).toEqual({ id: 'wall-1', created: false });
    expect((await q.getJob('wall-1'))?.data).toEqual({ color: 'pink' });
    expect((await q.stats()).waiting).toBe(1);
  });
});

describe('guide/jobs/deduplication', () => {
  it('simple mode: a duplicate is ignored until the job finished (dedupKey)', async () => {
    const q = h().queue('myQueue');
    const a = await q.add('house', { color: 'white' }, { dedupKey: 'customValue' });
    const b = await q.add('house', { color: 'black' }, { dedupKey: 'customValue' });
    expect(b).toEqual({ id: a.id, created: false });
    h().worker('myQueue', async () => {});
    await waitFor(async () => (await q.getJob(a.id))?.state === 'completed', 'finished');
    expect((await q.add('house', null, { dedupKey: 'customValue' })).created).toBe(true);
  });

  it('throttle mode: a duplicate within ttl from the add is ignored (dedupWindowMs)', async () => {
    const q = h().queue('myQueue');
    const a = await q.add('house', 1, { dedupKey: 'k', dedupWindowMs: 300 });
    expect((await q.add('house', 2, { dedupKey: 'k', dedupWindowMs: 300 })).created).toBe(false);
    await sleep(350);
    const c = await q.add('house', 3, { dedupKey: 'k', dedupWindowMs: 300 });
    expect(c.created).toBe(true);
    expect(c.id).not.toBe(a.id);
  });

  it('removeDeduplicationKey lets the next add create a job (removeDedupKey)', async () => {
    const q = h().queue('myQueue');
    await q.add('house', 1, { dedupKey: 'k' });
    expect(await q.removeDedupKey('k')).toBe(true);
    expect((await q.add('house', 2, { dedupKey: 'k' })).created).toBe(true);
  });
});

describe('guide/jobs/removing-job', () => {
  it('removes a waiting job by id; an active one cannot be removed (by design: it throws)', async () => {
    const q = h().queue('q');
    const { id } = await q.add('x', 1);
    expect(await q.remove(id)).toBe(true);
    expect(await q.getJob(id)).toBeUndefined();
    await q.add('x', 2, { id: 'busy' });
    let release!: () => void;
    h().worker('q', () => new Promise<void>((r) => (release = r)));
    await waitFor(async () => (await q.getJob('busy'))?.state === 'active', 'active');
    await expect(q.remove('busy')).rejects.toMatchObject({ code: 'SLC_ERR_JOB_STATE' });
    release();
  });
});

describe('guide/queues/removing-jobs', () => {
  it('drain removes waiting jobs and keeps delayed ones by default (clear)', async () => {
    const q = h().queue('q');
    await q.addBulk([{ data: 1 }, { data: 2 }, { data: 3, opts: { delay: 60_000 } }]);
    expect(await q.clear()).toBe(2);
    expect(await q.stats()).toMatchObject({ waiting: 0, delayed: 1 });
    expect(await q.clear({ keepDelayed: false })).toBe(1); // drain(true)
    expect((await q.stats()).delayed).toBe(0);
  });
});

describe('guide/jobs/getters', () => {
  it('getJobCounts → stats(); getJobs(type, start, end) → getJobs(state, { offset, limit })', async () => {
    const q = h().queue('q');
    await q.addBulk([{ data: 1 }, { data: 2 }, { data: 3, opts: { delay: 60_000 } }]);
    expect(await q.stats()).toMatchObject({ waiting: 2, delayed: 1, active: 0, failed: 0 });
    const page = await q.getJobs('waiting', { offset: 0, limit: 1 });
    expect(page.total).toBe(2);
    expect(page.jobs.map((j) => j.data)).toEqual([1]);
  });
});
