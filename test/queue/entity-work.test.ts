/**
 * Listing one entity's jobs reads the index, not the queue: a page deep inside a big entity, and
 * a small entity beside it, cost Redis about what a first page costs (SLOWLOG-measured time per
 * script call on a server of this file's own, never client wall-clock).
 */
import { describe, expect, it } from 'vitest';
import { usePrivateRedis } from '../harness/private-redis.js';
import { leastScriptTimeUs } from '../harness/redis-time.js';
import { useHarness } from './helpers.js';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

describe('per-entity listing cost', () => {
  it('pages by rank: offset 150,000 of a 200,000-job entity costs like the first page', async () => {
    const q = h().queue<number>('big');
    for (let i = 0; i < 200_000; i += 1000)
      await q.addBulk(
        Array.from({ length: 1000 }, (_, j) => ({ data: i + j, opts: { entity: 'acct-1' } })),
      );
    await q.addBulk([1, 2, 3].map((n) => ({ data: -n, opts: { entity: 'acct-2' } })));

    const first = await leastScriptTimeUs(priv.raw, 3, () =>
      q.getEntityJobs('acct-1', { limit: 20 }),
    );
    let deepPage: number[] = [];
    const deep = await leastScriptTimeUs(priv.raw, 3, async () => {
      const page = await q.getEntityJobs('acct-1', { offset: 150_000, limit: 20 });
      deepPage = page.jobs.map((j) => j.data);
    });
    const small = await leastScriptTimeUs(priv.raw, 3, () => q.getEntityJobs('acct-2'));
    expect(deepPage).toEqual(Array.from({ length: 20 }, (_, i) => 49_999 - i));
    // Walking 150,000 index entries (ZRANGE BYLEX … LIMIT offset) takes milliseconds.
    expect(deep).toBeLessThan(first * 3 + 200);
    expect(small).toBeLessThan(first * 3 + 200);
  });
});
