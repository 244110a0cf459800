/**
 * Partitioned queues on a real 3-master Redis Cluster: the cases of `partitions.cases.ts`, and
 * the partitions of one queue spread over the shards.
 */
import { expect, it } from 'vitest';
import { keysPerMaster, onRedisCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/context.js';
import { partitionCases } from './partitions.cases.js';
import { useHarness } from './helpers.js';

onRedisCluster((connection) => {
  partitionCases(connection);
  const h = useHarness(connection);

  it('puts the partitions of one queue on different shards, and drains them all', async () => {
    const q = h().queue<number>('spread', { partitions: 6 });
    await q.addBulk(Array.from({ length: 60 }, (_, i) => ({ name: 'j', data: i })));
    const keysPer = await keysPerMaster(connection(), `${h().prefix}:{spread#*}:wait`);
    expect(keysPer.reduce((a, b) => a + b, 0)).toBe(6);
    expect(keysPer.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    let done = 0;
    h().worker('spread', () => void done++, { partitions: 6, concurrency: 4 });
    await waitFor(() => done === 60, 'drained on every shard', 20_000);
    // the handlers have returned; their acks are recorded a moment later
    await waitFor(async () => (await q.stats()).completed === 60, 'every completion recorded');
  });
});
