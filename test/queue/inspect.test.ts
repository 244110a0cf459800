/** Operator reads: the bounded per-minute / per-hour history, and the bounded job search. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

const h = useHarness();

describe('history', () => {
  it('counts completions and failures in the current minute and hour', async () => {
    const q = h().queue('hist');
    await q.addBulk([1, 2, 3].map((d) => ({ name: 'x', data: d })));
    await q.add('x', 'bad', { maxAttempts: 1 });
    h().worker('hist', async (job) => {
      if (job.data === 'bad') throw new Error('no');
    });
    await waitFor(async () => (await q.stats()).completed === 3, 'jobs ran');
    await waitFor(async () => (await q.stats()).failed === 1, 'job failed');
    const hour = await q.history('1h');
    expect(hour.stepMs).toBe(60_000);
    expect(hour.completed).toHaveLength(61);
    // A minute boundary may fall between the jobs: count the last two buckets.
    expect(hour.completed.slice(-2).reduce((a, b) => a + b)).toBe(3);
    expect(hour.failed.slice(-2).reduce((a, b) => a + b)).toBe(1);
    expect(hour.startMs + 60 * 60_000).toBeLessThanOrEqual(hour.now);
    const week = await q.history('7d');
    expect(week.stepMs).toBe(3_600_000);
    expect(week.completed).toHaveLength(169);
    expect(week.completed.slice(-2).reduce((a, b) => a + b)).toBe(3);
    expect(week.failed.slice(-2).reduce((a, b) => a + b)).toBe(1);
  });

  it('reads old buckets and trims fields an idle gap left behind', async () => {
    const q = h().queue('hist');
    const key = h().keys('hist').metrics;
    const minute = Math.floor((await h().now()) / 60000);
    const hour = Math.floor(minute / 60);
    await h().redis.hset(key, `c:${minute - 5}`, 7, `fh:${hour - 100}`, 2);
    // Stale fields from long ago, past the bound (what an idle queue may leave).
    const stale: Record<string, number> = {};
    for (let i = 0; i < 500; i++) stale[`c:${minute - 10_000 - i}`] = 1;
    stale[`ch:${hour - 500}`] = 1;
    await h().redis.hset(key, stale);
    const r = await q.history('1h');
    expect(r.completed[60 - 5]).toBe(7);
    expect((await q.history('7d')).failed[168 - 100]).toBe(2);
    const left = await h().redis.hkeys(key);
    expect(left.sort()).toEqual([`c:${minute - 5}`, `fh:${hour - 100}`].sort());
  });

  it('refuses an unknown range', async () => {
    await expect(
      h()
        .queue('hist')
        .history('1y' as '1h'),
    ).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
  });
});

describe('search', () => {
  it('finds by id, name, meta field and payload text', async () => {
    const q = h().queue('srch');
    await q.add('sync-note', { text: 'Hello Wörld' }, { id: 'n-1', meta: { account: 'acct-42' } });
    await q.add('send-sms', { to: '+3312345' }, { id: 'm-2', meta: { account: 'acct-7' } });
    await q.add('send-sms', { to: '+44' }, { id: 'm-3' });
    const ids = async (query: string, field?: 'id' | 'name' | 'data' | `meta.${string}`) =>
      (await q.search({ query, ...(field ? { field } : {}) })).ids.sort();
    expect(await ids('m-', 'id')).toEqual(['m-2', 'm-3']);
    expect(await ids('SEND', 'name')).toEqual(['m-2', 'm-3']);
    expect(await ids('acct-42', 'meta.account')).toEqual(['n-1']);
    expect(await ids('acct', 'meta.other')).toEqual([]);
    expect(await ids('wörld', 'data')).toEqual(['n-1']);
    expect(await ids('+33')).toEqual(['m-2']);
    expect(await ids('acct-7')).toEqual(['m-2']);
    // a name every object inherits is no meta field (it threw a TypeError)
    expect(await ids('function', 'meta.constructor')).toEqual([]);
    expect(await ids('x', 'meta.toString')).toEqual([]);
  });

  it('examines at most its budget per call and continues from the cursor', async () => {
    const q = h().queue('srch');
    await q.addBulk(
      Array.from({ length: 3000 }, (_, i) => ({ name: 'x', data: { i }, opts: { id: `j${i}` } })),
    );
    const first = await q.search({ query: 'x', field: 'name', budget: 1000, limit: 500 });
    expect(first.scanned).toBeLessThanOrEqual(1100); // HSCAN COUNT is a hint: allow its slack
    expect(first.cursor).not.toBe('0');
    const seen = new Set(first.ids);
    let page = first;
    while (page.cursor !== '0') {
      page = await q.search({ query: 'x', field: 'name', cursor: page.cursor, limit: 500 });
      expect(page.scanned).toBeLessThanOrEqual(2100);
      for (const id of page.ids) seen.add(id);
    }
    expect(seen.size).toBe(3000);
  });
});
