/**
 * A real Redis Cluster (3 masters unless told) on free ports (no replicas), for the suites that must also pass
 * on Cluster. Slots are assigned with CLUSTER ADDSLOTSRANGE and nodes joined with CLUSTER MEET.
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { freePort, RedisServer } from './redis-server.js';

export class RedisClusterFixture {
  private constructor(readonly nodes: RedisServer[]) {}

  /** Starts `masters` (1–3 on this machine; default 3) masters sharing the 16,384 slots. */
  static async start(masters = 3): Promise<RedisClusterFixture> {
    const nodes: RedisServer[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true);
      nodes.push(
        await RedisServer.start({
          port,
          config: [
            'cluster-enabled yes',
            `cluster-config-file nodes-${port}.conf`,
            'cluster-node-timeout 5000',
            // A lone node never learns its own address from a MEET: announce it.
            ...(masters === 1 ? ['cluster-announce-ip 127.0.0.1'] : []),
          ],
        }),
      );
    }
    const clients = nodes.map((n) => new Redis(n.port, '127.0.0.1'));
    try {
      const per = Math.floor(16384 / masters);
      for (let i = 0; i < masters; i++) {
        const from = i * per;
        const to = i === masters - 1 ? 16383 : (i + 1) * per - 1;
        await clients[i]!.call('CLUSTER', 'ADDSLOTSRANGE', from, to);
      }
      for (let i = 1; i < masters; i++)
        await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', nodes[i]!.port);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const states = await Promise.all(
          clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>),
        );
        if (
          states.every(
            (s) => s.includes('cluster_state:ok') && s.includes(`cluster_known_nodes:${masters}`),
          )
        )
          break;
        if (Date.now() > deadline) throw new Error('cluster did not converge in 20 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clients.forEach((c) => c.disconnect());
    }
    return new RedisClusterFixture(nodes);
  }

  /** Seed nodes for ioredis `Cluster`. */
  get startupNodes(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

/** How many keys match `pattern` on each master of the Cluster `connection` names. */
export async function keysPerMaster(
  connection: ConnectionOptions,
  pattern: string,
): Promise<number[]> {
  const seeds = (connection as { cluster: { host: string; port: number }[] }).cluster;
  return Promise.all(
    seeds.map(async ({ host, port }) => {
      const c = new Redis(port, host);
      try {
        return (await c.keys(pattern)).length;
      } finally {
        c.disconnect();
      }
    }),
  );
}
