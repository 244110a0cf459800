/** Admin operations: promote, remove, clear, getJobs paging, stats. */
import { describe, expect, it } from 'vitest';
import { JobError, type Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { caught, deferred, sleep, useHarness } from './helpers.js';

const h = useHarness();

/** A worker holding one job (id `held`) until `release` is called. */
async function holdOne(queue: string) {
  const started = deferred<Job>();
  const release = deferred();
  h().worker(queue, async (job) => {
    started.resolve(job);
    await release.promise;
    return 'finished';
  });
  await h().queue(queue).add('x', 'held', { id: 'held' });
  await started.promise;
  return release.resolve;
}

describe('promote', () => {
  it('moves a delayed job to waiting now, keeping its priority', async () => {
    const q = h().queue('adm');
    await q.add('x', 1, { id: 'd', delay: 3_600_000 });
    await q.add('x', 2, { id: 'dp', delay: 3_600_000, priority: 'low' });
    await q.promote('d');
    await q.promote('dp');
    const s = await h().state('adm');
    expect(s.delayed).toEqual({});
    expect(s.waiting).toEqual(['d']);
    expect(s.prio).toEqual(['dp']);
    expect((await q.getJob('d'))!.state).toBe('waiting');
    h().worker('adm', async () => {});
    await waitFor(async () => (await q.stats()).completed === 2, 'both promoted jobs ran');
  });

  it('refuses a job that is not delayed (409) or does not exist (404)', async () => {
    const q = h().queue('adm');
    await q.add('x', 1, { id: 'w' });
    const notDelayed = await caught(() => q.promote('w'));
    expect(notDelayed).toBeInstanceOf(JobError);
    expect(notDelayed).toMatchObject({ code: 'SLC_ERR_JOB_STATE', status: 409, jobId: 'w' });
    const missing = await caught(() => q.promote('nope'));
    expect(missing).toMatchObject({ code: 'SLC_ERR_JOB_NOT_FOUND', status: 404, jobId: 'nope' });
    expect((await h().state('adm')).waiting).toEqual(['w']);
  });
});

describe('remove', () => {
  it('removes waiting, prioritised, delayed and completed jobs with their data', async () => {
    const q = h().queue('adm');
    await q.add('x', 1, { id: 'done' });
    const w = h().worker('adm', async () => 'result');
    await waitFor(async () => (await q.stats()).completed === 1, 'completion');
    await w.close();
    await q.add('x', 1, { id: 'w1' });
    await q.add('x', 1, { id: 'w2' });
    await q.add('x', 1, { id: 'w3' });
    await q.add('x', 1, { id: 'p', priority: 5 });
    await q.add('x', 1, { id: 'd', delay: 60_000 });

    for (const id of ['w2', 'p', 'd', 'done']) expect(await q.remove(id)).toBe(true);
    expect(await q.remove('w2')).toBe(false);
    expect(await q.remove('never-was')).toBe(false);
    const s = await h().state('adm');
    // w2 was in the middle of `wait`: its id stays there as a tombstone that fetch skips
    expect(s.waiting).toEqual(['w1', 'w2', 'w3']);
    expect(await h().redis.hgetall(h().keys('adm').tomb)).toEqual({ w2: '1' });
    expect(s.meta.tombs).toBe('1');
    expect((await q.stats()).waiting).toBe(2);
    expect(s.prio).toEqual([]);
    expect(s.delayed).toEqual({});
    expect(s.completed).toEqual({});
    expect(s.results).toEqual({});
    expect(s.jobs).toEqual(['w1', 'w3']);
  });

  it('refuses an active job (409) and leaves it to finish', async () => {
    const q = h().queue('adm');
    const release = await holdOne('adm');
    const err = await caught(() => q.remove('held'));
    expect(err).toMatchObject({ code: 'SLC_ERR_JOB_STATE', jobId: 'held' });
    expect(Object.keys((await h().state('adm')).active)).toEqual(['held']);
    release();
    await waitFor(async () => (await q.getJob('held'))?.state === 'completed', 'completion');
  });
});

describe('clear', () => {
  it('removes waiting and delayed jobs; failed only when asked; active and completed stay', async () => {
    const q = h().queue('adm');
    const fails = h().worker(
      'adm',
      async () => {
        throw new Error('x');
      },
      { retry: { maxAttempts: 1 } },
    );
    await q.add('x', 1, { id: 'f' });
    await waitFor(async () => (await q.stats()).failed === 1, 'a dead letter');
    await fails.close();
    const release = await holdOne('adm');
    await q.add('x', 1, { id: 'w' });
    await q.add('x', 1, { id: 'p', priority: 'high' });
    await q.add('x', 1, { id: 'd', delay: 60_000 });

    expect(await q.clear()).toBe(2); // delayed jobs are kept by default
    expect(Object.keys((await h().state('adm')).delayed)).toEqual(['d']);
    expect(await q.clear({ keepDelayed: false })).toBe(1);
    let s = await h().state('adm');
    expect(s.waiting).toEqual([]);
    expect(s.prio).toEqual([]);
    expect(s.delayed).toEqual({});
    expect(Object.keys(s.failed)).toEqual(['f']);
    expect(Object.keys(s.active)).toEqual(['held']);
    expect(s.jobs).toEqual(['f', 'held']);

    expect(await q.clear({ includeFailed: true })).toBe(1);
    s = await h().state('adm');
    expect(s.failed).toEqual({});
    expect(s.jobs).toEqual(['held']);
    expect(s.info).toEqual({});

    release();
    await waitFor(async () => (await q.getJob('held'))?.state === 'completed', 'held job done');
  });

  it('clears more than one chunk, in bounded steps', async () => {
    const q = h().queue('adm');
    await q.addBulk(Array.from({ length: 2500 }, (_, i) => ({ data: i })));
    await q.addBulk(Array.from({ length: 1200 }, (_, i) => ({ data: i, opts: { delay: 60_000 } })));
    expect(await q.clear({ keepDelayed: false })).toBe(3700);
    const s = await h().state('adm');
    expect(s.waiting).toEqual([]);
    expect(s.delayed).toEqual({});
    expect(s.jobs).toEqual([]);
  });
});

describe('getJobs', () => {
  it('pages waiting jobs in run order: the next job to run first, across priorities', async () => {
    const q = h().queue<number>('adm');
    const add = [
      ['n1', 0],
      ['l1', -10],
      ['h1', 10],
      ['n2', 0],
      ['top', 1000],
      ['l2', -10],
      ['n3', 0],
      ['h2', 10],
      ['bottom', -1000],
    ] as const;
    for (const [id, priority] of add) await q.add('x', priority, { id, priority });
    const runOrder = ['top', 'h1', 'h2', 'n1', 'n2', 'n3', 'l1', 'l2', 'bottom'];

    // Every page size and offset reads the same order, without gaps or overlaps.
    for (const limit of [1, 2, 3, 4, 9]) {
      const seen: string[] = [];
      for (let offset = 0; offset < 10; offset += limit) {
        const page = await q.getJobs('waiting', { offset, limit });
        expect(page.total).toBe(9);
        seen.push(...page.jobs.map((j) => j.id));
      }
      expect(seen, `pages of ${limit}`).toEqual(runOrder);
    }
    const first = (await q.getJobs('waiting', { limit: 1 })).jobs[0]!;
    expect(first).toMatchObject({ id: 'top', state: 'waiting', data: 1000, priority: 1000 });
    // The prio set's score is internal: a waiting job has no timestamp (as in getJob).
    expect(first.timestamp).toBeUndefined();
    expect((await q.getJobs('waiting', { offset: 9 })).jobs).toEqual([]);

    // It is the order a worker takes them in.
    const ran: string[] = [];
    h().worker('adm', async (job) => void ran.push(job.id));
    await waitFor(() => ran.length === 9, 'all ran');
    expect(ran).toEqual(runOrder);
  });

  it('lists a stalled or released job first in its priority, as it will run', async () => {
    const q = h().queue('adm');
    for (const id of ['a', 'b', 'c']) await q.add('x', null, { id });
    await q.add('x', null, { id: 'p', priority: 'high' });
    await q.add('x', null, { id: 'q', priority: 'high' });
    const cmd = h().commands('adm');
    const { jobs } = await cmd.fetch(3, 60_000, 'w:1'); // p, q, a
    await cmd.release(jobs.map((j) => ({ id: j.id, token: j.token })));
    const listed = (await q.getJobs('waiting')).jobs.map((j) => j.id);
    // Released jobs go to the front of their priority (the last released first).
    expect(listed).toEqual(['q', 'p', 'a', 'b', 'c']);
    const taken = await cmd.fetch(5, 60_000, 'w:2');
    expect(taken.jobs.map((j) => j.id)).toEqual(listed);
  });

  it('pages a long wait list from either end by index (only the page is read)', async () => {
    const q = h().queue<number>('adm');
    await q.addBulk(Array.from({ length: 3000 }, (_, i) => ({ data: i, opts: { id: `j${i}` } })));
    await q.add('x', -1, { id: 'low', priority: 'low' });
    const mid = await q.getJobs('waiting', { offset: 1499, limit: 3 });
    expect(mid.jobs.map((j) => j.id)).toEqual(['j1499', 'j1500', 'j1501']);
    const end = await q.getJobs('waiting', { offset: 2998, limit: 5 });
    expect(end.jobs.map((j) => j.id)).toEqual(['j2998', 'j2999', 'low']);
    // The script's contract: count 0 returns the total and no rows.
    const k = h().keys('adm');
    const cmd = h().commands('adm');
    expect(await cmd.list('run', k.wait, 0, 0)).toEqual({ total: 3001, rows: [] });
    expect((await cmd.list('asc', k.delayed, 0, 0)).rows).toEqual([]);
  });

  it('pages delayed jobs soonest due first, completed and failed newest first', async () => {
    const q = h().queue<number>('adm');
    for (const i of [3, 1, 4, 2]) await q.add('x', i, { id: `d${i}`, delay: i * 60_000 });
    const delayed = await q.getJobs('delayed', { limit: 2 });
    expect(delayed.total).toBe(4);
    expect(delayed.jobs.map((j) => j.id)).toEqual(['d1', 'd2']);
    expect((await q.getJobs('delayed', { offset: 2 })).jobs.map((j) => j.id)).toEqual(['d3', 'd4']);
    const s = await h().state('adm');
    expect(delayed.jobs[0]!.timestamp).toBe(s.delayed.d1);

    const w = h().worker<number>(
      'adm',
      async (job) => {
        if (job.data % 2) throw new Error('odd');
        return job.data * 10;
      },
      { retry: { maxAttempts: 1 } },
    );
    for (let i = 1; i <= 6; i++) {
      await q.add('x', i, { id: `j${i}` });
      await waitFor(
        async () => ['completed', 'failed'].includes((await q.getJob(`j${i}`))!.state!),
        `j${i} done`,
      );
      await sleep(2); // distinct finish times
    }
    await w.close();
    const completed = await q.getJobs('completed', { offset: 1, limit: 5 });
    expect(completed.total).toBe(3);
    expect(completed.jobs.map((j) => [j.id, j.returnValue])).toEqual([
      ['j4', 40],
      ['j2', 20],
    ]);
    const failed = await q.getJobs('failed');
    expect(failed.jobs.map((j) => [j.id, j.failedReason])).toEqual([
      ['j5', 'odd'],
      ['j3', 'odd'],
      ['j1', 'odd'],
    ]);
    expect(failed.jobs[0]!.timestamp).toBeGreaterThan(failed.jobs[1]!.timestamp!);
  });

  it('lists active jobs earliest lease deadline first, with the deadline', async () => {
    const q = h().queue('adm');
    for (const id of ['long', 'short']) await q.add('x', null, { id });
    const cmd = h().commands('adm');
    await cmd.fetch(1, 600_000, 'w:1'); // long
    await cmd.fetch(1, 60_000, 'w:2'); // short
    const active = await q.getJobs('active');
    expect(active.total).toBe(2);
    expect(active.jobs.map((j) => [j.id, j.state])).toEqual([
      ['short', 'active'],
      ['long', 'active'],
    ]);
    expect(active.jobs[0]!.timestamp).toBe((await h().state('adm')).active.short);
  });
});

describe('stats', () => {
  it('counts every state in one snapshot', async () => {
    const q = h().queue('adm');
    const empty = await q.stats();
    expect(empty).toMatchObject({
      name: 'adm',
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      paused: false,
      oldestWaitingAgeMs: null,
      totals: { completed: 0, failed: 0 },
      perMinute: { completed: 0, failed: 0 },
    });
    expect(empty.history.completed).toHaveLength(60);
    expect(empty.history.failed).toHaveLength(60);

    const w = h().worker<string>(
      'adm',
      async (job) => {
        if (job.data === 'fail') throw new Error('x');
      },
      { retry: { maxAttempts: 1 } },
    );
    await q.add('x', 'ok');
    await q.add('x', 'ok');
    await q.add('x', 'fail');
    await waitFor(async () => {
      const s = await q.stats();
      return s.completed === 2 && s.failed === 1;
    }, 'three outcomes');
    await w.close();
    const release = await holdOne('adm');
    await q.pause();
    await q.add('x', 'later', { delay: 60_000 });
    await q.add('x', 'w1');
    await q.add('x', 'w2', { priority: 'low' });

    expect(await q.stats()).toMatchObject({
      waiting: 2,
      active: 1,
      delayed: 1,
      completed: 2,
      failed: 1,
      paused: true,
      totals: { completed: 2, failed: 1 },
    });
    // Per-minute and per-hour counters of the current minute and hour, on Redis's clock.
    const now = await h().now();
    const [minute, hour] = [Math.floor(now / 60_000), Math.floor(now / 3_600_000)];
    const metrics = await h().redis.hgetall(h().keys('adm').metrics);
    expect(metrics).toEqual({
      [`c:${minute}`]: '2',
      [`f:${minute}`]: '1',
      [`ch:${hour}`]: '2',
      [`fh:${hour}`]: '1',
    });
    release();
  });

  it('reports per-minute rates from the counters of the last full minutes', async () => {
    const q = h().queue('adm');
    const minute = Math.floor((await h().now()) / 60_000);
    await h().redis.hset(h().keys('adm').metrics, {
      [`c:${minute - 1}`]: 17,
      [`f:${minute - 1}`]: 3,
      [`c:${minute - 60}`]: 5,
      [`c:${minute - 61}`]: 99, // older than the window
    });
    const s = await q.stats();
    expect(s.perMinute).toEqual({ completed: 17, failed: 3 });
    expect(s.history.completed[59]).toBe(17);
    expect(s.history.completed[0]).toBe(5);
    expect(s.history.completed.reduce((a, b) => a + b)).toBe(22);
    expect(s.history.failed.reduce((a, b) => a + b)).toBe(3);
  });

  it('oldest waiting age is that of the oldest job, whatever its priority', async () => {
    const q = h().queue('adm');
    await q.add('x', 'first', { priority: 'high' });
    await sleep(60);
    await q.add('x', 'low', { priority: 'low' });
    await q.add('x', 'default');
    const created = (await q.getJobs('waiting', { limit: 3 })).jobs.map((j) => j.createdAt);
    const before = await h().now();
    const s = await q.stats();
    const after = await h().now();
    const oldest = Math.min(...created);
    // Created times come from the producer's calibrated reading of Redis's clock (within a
    // round trip of TIME, see src/redis/clock.ts): allow 2 ms either way.
    expect(s.oldestWaitingAgeMs).toBeGreaterThanOrEqual(before - oldest - 2);
    expect(s.oldestWaitingAgeMs).toBeLessThanOrEqual(after - oldest + 2);
    expect(s.oldestWaitingAgeMs).toBeGreaterThanOrEqual(60);
  });
});
