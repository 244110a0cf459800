/**
 * Admin operations on a long queue do bounded work inside Redis (SLOWLOG-measured execution time
 * per script call on a server of this file's own, never client wall-clock), and removing a
 * waiting job leaves a tombstone that every reader of the waiting line skips.
 */
import { describe, expect, it } from 'vitest';
import { usePrivateRedis } from '../harness/private-redis.js';
import { leastScriptTimeUs, scriptTimesUs } from '../harness/redis-time.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

describe('removing waiting jobs', () => {
  it('costs the same near the oldest end of 300,000 waiting jobs as anywhere', async () => {
    const q = h().queue('long');
    for (let i = 0; i < 300_000; i += 1000)
      await q.addBulk(
        Array.from({ length: 1000 }, (_, j) => ({ data: i + j, opts: { id: `j${i + j}` } })),
      );
    // Old code: LREM walks from the newest end, ~300,000 entries (~6 ms of Redis time) each.
    const us = await leastScriptTimeUs(priv.raw, 3, async (i) =>
      expect(await q.remove(`j${i + 1}`)).toBe(true),
    );
    expect(us).toBeLessThan(1_000);
    expect((await q.stats()).waiting).toBe(300_000 - 3);
  });

  it('skips the removed in fetch, stats, listing and clear; a re-added id runs once, in line', async () => {
    const q = h().queue<string>('tomb');
    for (const id of ['a', 'b', 'c', 'd', 'e']) await q.add('x', id, { id });
    for (const id of ['b', 'c', 'a']) expect(await q.remove(id)).toBe(true); // a: at the end
    expect(await q.add('x', 'c again', { id: 'c' })).toMatchObject({ id: 'c' });
    const s = await q.stats();
    expect(s.waiting).toBe(3);
    const listed = await q.getJobs('waiting', { offset: 0, limit: 10 });
    expect(listed.jobs.map((j) => j.data).sort()).toEqual(['c again', 'd', 'e']);

    const ran: string[] = [];
    const w = h().worker<string>('tomb', (job) => void ran.push(job.data), { concurrency: 1 });
    await waitFor(() => ran.length === 3, 'three runs');
    await w.close();
    expect(ran).toEqual(['d', 'e', 'c again']);
    const k = h().keys('tomb');
    expect(await priv.raw.llen(k.wait)).toBe(0);
    expect(await priv.raw.exists(k.tomb)).toBe(0);
    expect(await priv.raw.hget(k.meta, 'tombs')).toBeNull();

    for (const id of ['f', 'g', 'h']) await q.add('x', id, { id });
    await q.remove('g');
    expect(await q.clear()).toBe(2);
    expect(await priv.raw.exists(k.wait, k.tomb)).toBe(0);
    expect((await priv.raw.hkeys(k.jobs)).sort()).toEqual(['c', 'd', 'e']); // the completed ones
    expect((await q.stats()).waiting).toBe(0);
  });
});

describe('retrying failed jobs', () => {
  it('keeps each step short while thousands of failed jobs with histories go back', async () => {
    const q = h().queue('dead');
    await q.addBulk(Array.from({ length: 2000 }, (_, i) => ({ data: i })));
    const w = h().worker(
      'dead',
      () => {
        throw new Error(`boom ${'x'.repeat(400)}`);
      },
      { concurrency: 50, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } } },
    );
    await waitFor(async () => (await q.stats()).failed === 2000, 'all failed', 60_000);
    await w.close();
    // The work of a step is the history JSON it rewrites: each step stops after 256 KiB, so the
    // steps are at least (all the history) / 256 KiB. Old code: chunks of 1,000 jobs whatever
    // their histories (2 calls of ~10+ ms here). Counted, not timed: a busy machine stretches
    // Redis's own times too.
    const k = h().keys('dead');
    const ids = await priv.raw.zrange(k.failed, 0, -1);
    const lens = await Promise.all(ids.map((id) => priv.raw.hstrlen(k.info, id)));
    const historyBytes = lens.reduce((a, b) => a + b, 0);
    expect(historyBytes).toBeGreaterThan(1024 * 1024); // enough history for the bound to show
    const times = await scriptTimesUs(priv.raw, () => q.retryFailed());
    expect((await q.stats()).waiting).toBe(2000);
    // a step stops once past 256 KiB, so it may take up to one job's info more than that
    const perStep = 256 * 1024 + Math.max(...lens);
    expect(times.length).toBeGreaterThanOrEqual(Math.ceil(historyBytes / perStep));
  });
});
