/**
 * Retention of completed and failed jobs by count and by age: bounded by default, cleaned a
 * bounded amount at a time (by the scripts that finish jobs, and by the worker's retention janitor
 * on a queue where nothing finishes), never by scanning everything.
 */
import { describe, expect, it } from 'vitest';
import type { WorkerOptions } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

/** A worker that completes jobs, or fails those whose data is 'fail' (no retries). */
function worker(opts: WorkerOptions = {}) {
  return h().worker<string>(
    'ret',
    async (job) => {
      if (job.data === 'fail') throw new Error('failed');
      return `r-${job.id}`;
    },
    { retry: { maxAttempts: 1 }, ...opts },
  );
}

async function runJobs(ids: string[], data = 'ok') {
  const q = h().queue<string>('ret');
  const target = (await q.stats()).totals;
  await q.addBulk(ids.map((id) => ({ data, opts: { id } })));
  const want = target.completed + target.failed + ids.length;
  await waitFor(async () => {
    const t = (await q.stats()).totals;
    return t.completed + t.failed === want;
  }, `${ids.length} jobs finished`);
}

/** Puts `n` finished jobs straight into a set, `ageMs` old: a backlog to clean. */
async function seed(set: 'completed' | 'failed', n: number, ageMs: number) {
  const k = h().keys('ret');
  const now = await h().now();
  const z: (string | number)[] = [];
  const jobs: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    z.push(now - ageMs, `old-${i}`);
    jobs[`old-${i}`] = `${now - ageMs}|0|{"d":null}`;
  }
  await h().redis.zadd(k[set], ...z);
  await h().redis.hset(k.jobs, jobs);
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('completed retention', () => {
  it('by count: keeps the newest N, deleting the others and all their data', async () => {
    worker({ keepCompleted: { count: 5 } });
    await runJobs(ids('early', 15));
    await sleep(5);
    await runJobs(ids('late', 5));
    const s = await h().state('ret');
    expect(Object.keys(s.completed).sort()).toEqual(ids('late', 5));
    expect(s.jobs).toEqual(ids('late', 5));
    expect(Object.keys(s.results).sort()).toEqual(ids('late', 5));
    expect(s.meta.completed).toBe('20');
  });

  it('keepCompleted: false deletes each job on completion; the totals still count', async () => {
    worker({ keepCompleted: false });
    await runJobs(ids('j', 10));
    const s = await h().state('ret');
    expect(s.completed).toEqual({});
    expect(s.jobs).toEqual([]);
    expect(s.results).toEqual({});
    expect(s.meta.completed).toBe('10');
    expect((await h().queue('ret').stats()).totals.completed).toBe(10);
  });

  it('by age: jobs older than ageMs are removed when later jobs finish', async () => {
    worker({ keepCompleted: { count: 1000, ageMs: 60_000 } });
    await runJobs(ids('old', 3));
    // Age them: finished two minutes ago (the score is the finish time).
    const k = h().keys('ret');
    const past = (await h().now()) - 120_000;
    for (const id of ids('old', 3)) await h().redis.zadd(k.completed, 'XX', past, id);
    await runJobs(ids('young', 2));
    const s = await h().state('ret');
    expect(Object.keys(s.completed).sort()).toEqual(ids('young', 2));
    expect(s.jobs).toEqual(ids('young', 2));
  });

  it('cleans a backlog at most 1,000 per finished job (bounded, incremental)', async () => {
    await seed('completed', 2500, 120_000);
    worker({ keepCompleted: { count: 100_000, ageMs: 60_000 } });
    const k = h().keys('ret');
    await runJobs(['n1']);
    expect(await h().redis.zcard(k.completed)).toBe(1501);
    expect(await h().redis.hlen(k.jobs)).toBe(1501);
    await runJobs(['n2']);
    expect(await h().redis.zcard(k.completed)).toBe(502);
    await runJobs(['n3']);
    expect(Object.keys((await h().state('ret')).completed).sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('is bounded by default: 1,000 completed jobs', async () => {
    await seed('completed', 1005, 0);
    worker();
    await runJobs(['new']);
    const k = h().keys('ret');
    expect(await h().redis.zcard(k.completed)).toBe(1000);
    expect(await h().redis.zscore(k.completed, 'new')).not.toBeNull();
    expect(await h().redis.hlen(k.jobs)).toBe(1000);
  });
});

describe('failed retention', () => {
  it('by count: keeps the newest N dead letters', async () => {
    worker({ keepFailed: { count: 2 } });
    await runJobs(ids('early', 4), 'fail');
    await sleep(5);
    await runJobs(ids('late', 2), 'fail');
    const s = await h().state('ret');
    expect(Object.keys(s.failed).sort()).toEqual(ids('late', 2));
    expect(s.jobs).toEqual(ids('late', 2));
    expect(Object.keys(s.info).sort()).toEqual(ids('late', 2));
    expect(s.meta.failed).toBe('6');
  });

  it('by age: old dead letters go when later jobs fail', async () => {
    await seed('failed', 3, 3_600_000);
    worker({ keepFailed: { ageMs: 60_000 } });
    await runJobs(['new'], 'fail');
    expect(Object.keys((await h().state('ret')).failed)).toEqual(['new']);
  });

  it('is bounded by default: 10,000 dead letters, none older than 7 days', async () => {
    await seed('failed', 10_005, 0);
    worker();
    await runJobs(['new'], 'fail');
    const k = h().keys('ret');
    expect(await h().redis.zcard(k.failed)).toBe(10_000);
    expect(await h().redis.zscore(k.failed, 'new')).not.toBeNull();
    await h().redis.del(k.failed);
    await seed('failed', 3, 8 * 86_400_000);
    await runJobs(['newer'], 'fail');
    expect(Object.keys((await h().state('ret')).failed)).toEqual(['newer']);
  });
});

describe("retention on a quiet queue (the worker's janitor)", () => {
  it('removes completed and failed jobs past their age although no job finishes', async () => {
    worker({
      keepCompleted: { ageMs: 300 },
      keepFailed: { ageMs: 300 },
      retentionCheckMs: 50,
    });
    await runJobs(ids('c', 3));
    await runJobs(ids('f', 2), 'fail');
    // Nothing else is added: only the janitor can remove them.
    await waitFor(async () => (await h().state('ret')).jobs.length === 0, 'all aged out');
    const s = await h().state('ret');
    expect([s.completed, s.failed, s.results, s.info]).toEqual([{}, {}, {}, {}]);
    expect([s.meta.completed, s.meta.failed]).toEqual(['3', '2']);
  });

  it('cleans a backlog already past its age, over several bounded passes', async () => {
    await seed('completed', 2500, 3_600_000);
    worker({ keepCompleted: { ageMs: 60_000 }, retentionCheckMs: 50 });
    const k = h().keys('ret');
    await waitFor(async () => (await h().redis.zcard(k.completed)) === 0, 'backlog cleaned');
    expect(await h().redis.hlen(k.jobs)).toBe(0);
  });

  it('rejects a retentionCheckMs below 10 ms', () => {
    expect(() => worker({ retentionCheckMs: 5 })).toThrow(/retentionCheckMs/);
  });
});
