/**
 * Ordered groups on real Redis: one job of a group at a time, in enqueue order, across workers;
 * groups served round-robin (the worst wait of a small group behind a huge one, counted in
 * turns); priorities and delays inside a group; retries, stalls, release, pause, clear,
 * retry-failed and remove keep a group's order and free its slot.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

describe('ordered groups', () => {
  it('run one job per group at a time, in enqueue order, across workers; groups in parallel', async () => {
    const q = h().queue<{ g: string; n: number }>('order');
    const jobs = [];
    for (let n = 0; n < 20; n++)
      for (const g of ['a', 'b', 'c']) jobs.push({ data: { g, n }, opts: { group: g } });
    await q.addBulk(jobs);
    const running = new Map<string, number>();
    const seen: Record<string, number[]> = { a: [], b: [], c: [] };
    let overlap = 0;
    let parallel = 0;
    const handler = async (job: { data: { g: string; n: number } }) => {
      const { g, n } = job.data;
      if ((running.get(g) ?? 0) > 0) overlap++;
      running.set(g, (running.get(g) ?? 0) + 1);
      parallel = Math.max(parallel, [...running.values()].filter((v) => v > 0).length);
      seen[g]!.push(n);
      await sleep(2);
      running.set(g, running.get(g)! - 1);
    };
    for (let i = 0; i < 3; i++) h().worker('order', handler, { concurrency: 5 });
    await waitFor(async () => (await q.stats()).completed === 60, 'all done');
    expect(overlap).toBe(0);
    expect(parallel).toBeGreaterThan(1);
    for (const g of ['a', 'b', 'c']) expect(seen[g]).toEqual([...Array(20).keys()]);
    const k = h().keys('order');
    // nothing left behind: no waiting member, no member map, no active count, no ready group
    for (const key of [k.gwait, k.gof, k.gready, k.glimited, k.gstate, k.gage])
      expect(await h().redis.exists(key)).toBe(0);
  });

  it('serve a small group within one turn of a huge one (worst wait counted in positions)', async () => {
    const q = h().queue<string>('fair');
    const huge = Array.from({ length: 5000 }, (_, i) => ({
      data: `H${i}`,
      opts: { group: 'huge' },
    }));
    await q.addBulk(huge);
    // ten small groups arrive after the huge backlog
    for (let s = 0; s < 10; s++) await q.add('x', `S${s}`, { group: `small-${s}` });
    const order: string[] = [];
    h().worker<string>('fair', (job) => void order.push(job.data), { concurrency: 1 });
    await waitFor(() => order.length >= 30, 'thirty runs');
    const worst = Math.max(...Array.from({ length: 10 }, (_, s) => order.indexOf(`S${s}`)));
    // 11 groups with work: every small job runs within the first round of 11 turns
    // (FIFO would put them behind 5,000 jobs)
    expect(worst).toBeGreaterThanOrEqual(0);
    expect(worst).toBeLessThanOrEqual(11);
    // the huge group keeps its own order
    expect(order.filter((d) => d.startsWith('H'))).toEqual(
      order.filter((d) => d.startsWith('H')).map((_, i) => `H${i}`),
    );
  });

  it('keep priorities and delays inside a group', async () => {
    const q = h().queue<string>('prio');
    await q.pause();
    await q.add('x', 'low', { group: 'g', priority: 'low' });
    await q.add('x', 'normal', { group: 'g' });
    // low too: when due it queues behind `low` however long the others took (a normal-priority
    // job that came due early would rightly run before `low`)
    await q.add('x', 'later', { group: 'g', delay: 150, priority: 'low' });
    await q.add('x', 'high', { group: 'g', priority: 'high' });
    await q.add('x', 'normal2', { group: 'g' });
    expect((await q.stats()).waiting).toBe(4);
    const order: string[] = [];
    h().worker<string>('prio', (job) => void order.push(job.data), { concurrency: 4 });
    await q.resume();
    await waitFor(() => order.length === 5, 'five runs');
    // the delayed job joins the back of the line when due
    expect(order).toEqual(['high', 'normal', 'normal2', 'low', 'later']);
  });

  it('hold the group in order while a job waits for its retry, then run it first', async () => {
    const q = h().queue<string>('retry');
    await q.add('x', 'first', { group: 'g' });
    await q.add('x', 'second', { group: 'g' });
    await q.add('x', 'other', { group: 'h' });
    const order: string[] = [];
    let failedOnce = false;
    h().worker<string>(
      'retry',
      (job) => {
        order.push(job.data);
        if (job.data === 'first' && !failedOnce) {
          failedOnce = true;
          throw new Error('flaky');
        }
      },
      { concurrency: 3, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 200 } } },
    );
    await waitFor(async () => (await q.stats()).completed === 3, 'all done');
    expect(order.filter((d) => d !== 'other')).toEqual(['first', 'first', 'second']);
    // the other group did not wait for g's retry
    expect(order.indexOf('other')).toBeLessThan(order.lastIndexOf('first'));
    const first = (await q.getJobs('completed', { offset: 0, limit: 10 })).jobs.find(
      (j) => j.data === 'first',
    )!;
    expect(first.attemptsMade).toBe(2); // the failed attempt and the one that completed
    expect(first.group).toBe('g');
  });

  it('put a stalled job back at the head of its group and free its slot', async () => {
    const q = h().queue<string>('stall');
    await q.add('x', 'a1', { group: 'a' });
    await q.add('x', 'a2', { group: 'a' });
    const dead = h().commands('stall');
    const taken = await dead.fetch(5, 100, 'dead:1');
    // one per group: a2 waits for a1
    expect(taken.jobs.map((j) => j.id)).toEqual(['1']);
    expect(await h().redis.hget(h().keys('stall').gstate, 'a:a')).toBe('1');
    expect((await dead.fetch(5, 100, 'dead:2')).jobs).toEqual([]);
    await sleep(150);
    const reaped = await dead.reap(1, 30_000, 'reaper:1', 100);
    expect(reaped.requeued).toEqual(['1']);
    expect(await h().redis.hget(h().keys('stall').gstate, 'a:a')).toBeNull();
    const order: string[] = [];
    h().worker<string>('stall', (job) => void order.push(job.data), { concurrency: 2 });
    await waitFor(() => order.length === 2, 'two runs');
    expect(order).toEqual(['a1', 'a2']);
  });

  it('put a released job back at the head of its group', async () => {
    const q = h().queue<string>('release');
    await q.add('x', 'a1', { group: 'a' });
    await q.add('x', 'a2', { group: 'a' });
    const c = h().commands('release');
    const taken = await c.fetch(1, 30_000, 'w:1');
    expect(await c.release([{ id: taken.jobs[0]!.id, token: taken.jobs[0]!.token }])).toBe(1);
    const again = await c.fetch(2, 30_000, 'w:2');
    expect(again.jobs.map((j) => j.id)).toEqual(['1']);
  });

  it('stop while paused; remove, clear and retry-failed keep the line and free slots', async () => {
    const q = h().queue<string>('admin');
    const k = h().keys('admin');
    for (const d of ['a1', 'a2', 'a3']) await q.add('x', d, { group: 'a', id: d });
    await q.add('x', 'b1', { group: 'b', id: 'b1' });
    await q.pause();
    const c = h().commands('admin');
    expect((await c.fetch(5, 30_000, 'w:1')).jobs).toEqual([]);
    await q.resume();
    expect(await q.remove('a1')).toBe(true);
    expect(await h().redis.zcard(k.gwait)).toBe(3);
    expect(await h().redis.hexists(k.gof, 'a1')).toBe(0);
    // a2 is now the head of a
    const taken = await c.fetch(5, 30_000, 'w:2');
    expect(taken.jobs.map((j) => j.id).sort()).toEqual(['a2', 'b1']);
    // a2 fails for good; a3 may run next
    const a2 = taken.jobs.find((j) => j.id === 'a2')!;
    const keep = { count: 100, ageMs: 0 };
    expect(
      await c.fail('a2', a2.token, { action: 'fail' }, { error: 'x' }, keep, 10),
    ).toBeGreaterThan(0);
    const next = await c.fetch(5, 30_000, 'w:3');
    expect(next.jobs.map((j) => j.id)).toEqual(['a3']);
    const a3 = next.jobs[0]!;
    expect(
      await c.fail('a3', a3.token, { action: 'fail' }, { error: 'x' }, keep, 10),
    ).toBeGreaterThan(0);
    expect(await h().redis.hget(k.gstate, 'a:a')).toBeNull();
    // retry-failed puts both back in group a, in the order retried
    await q.add('x', 'a4', { group: 'a', id: 'a4' });
    expect(await q.retryFailed(['a3', 'a2'])).toBe(2);
    expect(await h().redis.zcard(k.gwait)).toBe(3);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.fetch(5, 30_000, `w:${4 + i}`);
      expect(r.jobs).toHaveLength(1);
      order.push(r.jobs[0]!.id);
      await c.complete(
        [{ id: r.jobs[0]!.id, token: r.jobs[0]!.token, result: '' }],
        keep,
        0,
        1,
        'x',
      );
    }
    expect(order).toEqual(['a4', 'a3', 'a2']);
    // clear removes grouped waiting and (asked) delayed jobs
    await q.add('x', 'c1', { group: 'c', id: 'c1' });
    await q.add('x', 'c2', { group: 'c', id: 'c2', delay: 60_000 });
    await q.clear({ keepDelayed: false });
    expect(await h().redis.zcard(k.gwait)).toBe(0);
    // b1 still runs: it keeps its place and its slot
    expect(await h().redis.hkeys(k.gof)).toEqual(['b1']);
    expect(await h().redis.hget(k.gstate, 'a:b')).toBe('1');
    expect(await h().redis.exists(k.gready)).toBe(0);
    expect((await q.stats()).waiting).toBe(0);
  });

  it('are validated', async () => {
    const q = h().queue('v');
    await expect(q.add('x', 1, { group: '' })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
    await expect(q.add('x', 1, { group: 'a\0b' })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
  });
});
