/**
 * Grouped waiting jobs in the waiting listing and the oldest-waiting age: plain jobs first in run
 * order, then the grouped ones by group name (each group in its own run order); pages cross the
 * boundary; `stats().oldestWaitingAgeMs` sees a grouped job that waits longest; the `gage` index
 * follows the line through fetch, remove and clear.
 */
import { describe, expect, it } from 'vitest';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

describe('grouped waiting jobs', () => {
  it('are listed after the plain ones, by group, each group in run order; pages cross over', async () => {
    const q = h().queue<string>('list');
    await q.add('j', 'plain-1', { id: 'p1' });
    await q.add('j', 'b-1', { id: 'b1', group: 'b' });
    await q.add('j', 'a-low', { id: 'a1', group: 'a' });
    await q.add('j', 'a-high', { id: 'a2', group: 'a', priority: 'high' });
    await q.add('j', 'plain-high', { id: 'p2', priority: 'high' });
    await q.add('j', 'b-2', { id: 'b2', group: 'b' });

    const all = await q.getJobs('waiting');
    expect(all.total).toBe(6);
    expect(all.jobs.map((j) => j.id)).toEqual(['p2', 'p1', 'a2', 'a1', 'b1', 'b2']);
    expect(all.jobs.every((j) => j.state === 'waiting')).toBe(true);
    expect(all.jobs[2]!.group).toBe('a');
    expect((await q.stats()).waiting).toBe(6);

    const pages = [];
    for (let offset = 0; offset < 6; offset += 4)
      pages.push(...(await q.getJobs('waiting', { offset, limit: 4 })).jobs.map((j) => j.id));
    expect(pages).toEqual(['p2', 'p1', 'a2', 'a1', 'b1', 'b2']);
    expect((await q.getJobs('waiting', { offset: 3, limit: 2 })).jobs.map((j) => j.id)).toEqual([
      'a1',
      'b1',
    ]);
  });

  it('count in the oldest waiting age, and leave the age index with the line', async () => {
    const q = h().queue<string>('age');
    const k = h().keys('age');
    await q.add('j', 'old', { id: 'g-old', group: 'acct' });
    await sleep(60);
    await q.add('j', 'new', { id: 'p-new' });
    expect((await q.stats()).oldestWaitingAgeMs).toBeGreaterThanOrEqual(60);

    // only grouped jobs waiting: still an age
    const only = h().queue<string>('age-only');
    await only.add('j', 'x', { group: 'g' });
    expect((await only.stats()).oldestWaitingAgeMs).not.toBeNull();

    await q.add('j', 'two', { id: 'g-2', group: 'acct' });
    await q.add('j', 'three', { id: 'g-3', group: 'other' });
    expect(await h().redis.zcard(k.gage)).toBe(3);
    expect(await q.remove('g-old')).toBe(true);
    expect(await h().redis.zrange(k.gage, 0, -1)).toEqual(await h().redis.zrange(k.gwait, 0, -1));
    await q.clear();
    expect(await h().redis.exists(k.gage)).toBe(0);
  });
});
