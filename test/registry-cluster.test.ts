/** The registry on Redis Cluster: its own slot, written beside queues and topics in other slots. */
import { afterEach, expect, it } from 'vitest';
import { Queue, Registry, Streams } from '../src/index.js';
import { onRedisCluster } from './harness/cluster.js';
import { uniquePrefix } from './harness/context.js';

onRedisCluster((connection) => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('lists queues and topics whose keys live on other shards', async () => {
    const prefix = uniquePrefix();
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const n of names) {
      const q = new Queue(n, { connection: connection(), prefix });
      closers.push(() => q.close());
      await q.add('x', n);
    }
    const streams = new Streams({ connection: connection(), prefix });
    closers.push(() => streams.close());
    for (const n of names) await streams.topic(`t-${n}`).publish(n);
    const registry = new Registry({ connection: connection(), prefix });
    closers.push(() => registry.close());
    expect(await registry.queues()).toEqual(names);
    expect(await registry.topics()).toEqual(names.map((n) => `t-${n}`));
  });
});
