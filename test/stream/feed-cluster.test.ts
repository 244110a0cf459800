/**
 * A partitioned feed on a real 3-master Redis Cluster: its partitions sit on different shards,
 * and every consumer of a group reads every partition (one blocking read per partition), so
 * the consumers share the entries of all partitions, each entry delivered once.
 */
import { expect, it } from 'vitest';
import { keysPerMaster, onRedisCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/context.js';
import { StreamHarness } from './helpers.js';

onRedisCluster((connection) => {
  it('spreads a feed over the shards; each consumer of a group reads every partition', async () => {
    const h = new StreamHarness(connection());
    const streams = h.streams();
    const feed = streams.feed('fan', { partitions: 6 });
    const group = feed.group('g');
    await group.create();
    const got = new Map<string, string[]>();
    const consumer = (name: string) =>
      group.process(
        async (entry) => {
          got.set(name, [...(got.get(name) ?? []), `${entry.data.topic}@${entry.data.position}`]);
          await new Promise((r) => setTimeout(r, 10));
        },
        { consumer: name, blockMs: 1000 },
      );
    const consumers = [consumer('c1'), consumer('c2')];
    await Promise.all(consumers.map((c) => c.ready()));
    const published: string[] = [];
    for (let i = 0; i < 30; i++) {
      const t = streams.topic<number>(`room:${i}`, { feed, maxLen: 100 });
      published.push(`room:${i}@${(await t.publish(i)).position}`);
    }
    await waitFor(() => [...got.values()].flat().length === 30, 'all pointers handled', 15_000);
    const all = [...got.values()].flat();
    expect(all.sort()).toEqual([...published].sort()); // each once
    expect([...got.keys()].sort()).toEqual(['c1', 'c2']); // both consumers took a share
    const per = await keysPerMaster(connection(), `${h.prefix}:{f:fan:*}:stream`);
    expect(per.reduce((a, b) => a + b, 0)).toBe(6);
    expect(per.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    await Promise.all(consumers.map((c) => c.close()));
    await h.close();
  });
});
