/** Queues: many queue handles over one command connection (and a partitioned queue's partitions too). */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Queues } from '../../src/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

const admin = new Redis(redisUrl());
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** ioredis options naming every connection opened from them, so CLIENT LIST can count them. */
function named(): {
  opts: { host: string; port: number; connectionName: string };
  count: () => Promise<number>;
} {
  const u = new URL(redisUrl());
  const connectionName = `t-${Math.random().toString(36).slice(2)}`;
  return {
    opts: { host: u.hostname, port: Number(u.port), connectionName },
    count: async () =>
      String(await admin.client('LIST'))
        .split('\n')
        .filter((l) => l.includes(` name=${connectionName} `)).length,
  };
}

describe('Queues', () => {
  it('serves 30 queues over one connection, where 3 lone handles hold 3', async () => {
    const prefix = uniquePrefix();
    const lone = named();
    const handles = [0, 1, 2].map((i) => new Queue(`lone${i}`, { connection: lone.opts, prefix }));
    closers.push(() => Promise.all(handles.map((q) => q.close())));
    for (const q of handles) await q.add('x', 1);
    expect(await lone.count()).toBe(3);

    const shared = named();
    const queues = new Queues({ connection: shared.opts, prefix });
    closers.push(() => queues.close());
    for (let i = 0; i < 30; i++) await queues.get(`q${i}`).add('x', { i });
    expect(await shared.count()).toBe(1);
    expect((await queues.get('q7').stats()).waiting).toBe(1);
    expect(queues.get('q7')).toBe(queues.get('q7'));
    expect(queues.names()).toHaveLength(30);
  });

  it('a handle closed alone leaves the others working; closing the set closes the connection', async () => {
    const shared = named();
    const queues = new Queues({ connection: shared.opts, prefix: uniquePrefix() });
    const a = queues.get('a');
    const b = queues.get('b');
    await a.add('x', 1);
    await a.close();
    await expect(a.add('x', 2)).rejects.toMatchObject({ code: 'SLC_ERR_CLOSED' });
    await b.add('x', 1);
    expect((await b.stats()).waiting).toBe(1);
    await queues.close();
    expect(() => queues.get('c')).toThrow(expect.objectContaining({ code: 'SLC_ERR_CLOSED' }));
    await waitFor(async () => (await shared.count()) === 0, 'the shared connection closed');
  });

  it('refuses bad options when made, not at first use', () => {
    expect(() => new Queues({ prefix: 'bad prefix' })).toThrow(
      expect.objectContaining({ code: 'SLC_ERR_INVALID_OPTIONS' }),
    );
  });

  it('runs a partitioned queue’s partitions over its one connection', async () => {
    const conn = named();
    const q = new Queue('parted', { connection: conn.opts, prefix: uniquePrefix(), partitions: 4 });
    closers.push(() => q.close());
    await q.addBulk(Array.from({ length: 40 }, (_, i) => ({ name: 'x', data: i })));
    expect((await q.stats()).waiting).toBe(40);
    expect(await conn.count()).toBe(1);
  });
});

process.once('beforeExit', () => void admin.quit());
