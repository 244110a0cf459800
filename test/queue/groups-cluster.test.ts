/**
 * Ordered groups and limits on the real 3-master Redis Cluster fixture: every key a group
 * script touches arrives in KEYS and shares the queue's slot, so the scripts run there as on one
 * server.
 */
import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { onRedisCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';

function groupCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);
  describe('groups on a cluster', () => {
    it('keep order per group, apply limits, hold back a limited group, remove and clear', async () => {
      const q = h().queue<string>('gc');
      await q.setLimits({ concurrency: 3, groupRateLimit: { max: 100, durationMs: 1000 } });
      for (let i = 0; i < 5; i++)
        for (const g of ['a', 'b', 'c']) await q.add('x', `${g}${i}`, { group: g, id: `${g}${i}` });
      expect(await q.remove('c4')).toBe(true);
      const seen: Record<string, string[]> = { a: [], b: [], c: [] };
      let limited = false;
      h().worker<string>(
        'gc',
        (job) => {
          if (job.id === 'b0' && !limited) {
            limited = true;
            throw new RateLimitError(200);
          }
          seen[job.group!]!.push(job.id);
        },
        { concurrency: 4 },
      );
      await waitFor(async () => (await q.stats()).completed === 14, 'all done');
      expect(seen).toEqual({
        a: ['a0', 'a1', 'a2', 'a3', 'a4'],
        b: ['b0', 'b1', 'b2', 'b3', 'b4'],
        c: ['c0', 'c1', 'c2', 'c3'],
      });
      await q.add('x', 'd0', { group: 'd', delay: 60_000 });
      await q.setLimits({});
      await q.pause();
      await q.add('x', 'd1', { group: 'd' });
      await q.clear({ keepDelayed: false });
      expect((await q.stats()).waiting + (await q.stats()).delayed).toBe(0);
    });
  });
}

onRedisCluster(groupCases);
