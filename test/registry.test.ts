/** The registry of names: written before a queue's or topic's first write, read by `Registry`. */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Registry, Streams } from '../src/index.js';
import { queueKeys, registryKeys, topicKeys } from '../src/redis/keys.js';
import { redisUrl, uniquePrefix } from './harness/context.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function open<T extends { close(): Promise<unknown> }>(x: T): T {
  closers.push(() => x.close());
  return x;
}

describe('registry of names', () => {
  it('pins its keys in their own slot', () => {
    expect(registryKeys('sluice')).toEqual({
      queues: 'sluice:{registry}:queues',
      topics: 'sluice:{registry}:topics',
    });
  });

  it('checks its options, and fails a read with SLC_ERR_CONNECTION when Redis stays away', async () => {
    for (const bad of [null, { prefx: 'x' }, { prefix: 'a b' }])
      expect(() => new Registry(bad as never)).toThrow(
        expect.objectContaining({ code: 'SLC_ERR_INVALID_OPTIONS' }),
      );
    const registry = open(new Registry({ connection: redisUrl() }));
    await expect(registry.has('bogus' as never, 'x')).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
    // port 1: nothing listens (it waited for ever: a bare client queues commands offline)
    const away = open(
      new Registry({
        connection: 'redis://127.0.0.1:1',
        connectionRetry: { attempts: 2, minDelayMs: 10, maxDelayMs: 10 },
      }),
    );
    await expect(away.queues()).rejects.toMatchObject({ code: 'SLC_ERR_CONNECTION' });
  });

  it('lists queues after their first write, not after a mere handle or read', async () => {
    const prefix = uniquePrefix();
    const registry = open(new Registry({ connection: redisUrl(), prefix }));
    const a = open(new Queue('emails', { connection: redisUrl(), prefix }));
    const b = open(new Queue('sms', { connection: redisUrl(), prefix }));
    const c = open(new Queue('reads-only', { connection: redisUrl(), prefix }));
    await c.stats();
    expect(await registry.queues()).toEqual([]);
    await a.add('x', 1);
    await a.add('y', 2);
    await b.pause();
    expect(await registry.queues()).toEqual(['emails', 'sms']);
    expect(await registry.has('queues', 'emails')).toBe(true);
    expect(await registry.has('queues', 'reads-only')).toBe(false);
    // Another prefix sees none of them.
    const other = open(new Registry({ connection: redisUrl(), prefix: uniquePrefix() }));
    expect(await other.queues()).toEqual([]);
  });

  it('lists topics after their first publish, once per Streams instance', async () => {
    const prefix = uniquePrefix();
    const registry = open(new Registry({ connection: redisUrl(), prefix }));
    const streams = open(new Streams({ connection: redisUrl(), prefix }));
    const raw = new Redis(redisUrl());
    closers.push(async () => raw.disconnect());
    await streams.topic('run:1').info();
    expect(await registry.topics()).toEqual([]);
    await streams.topic('run:1').publish({ n: 1 });
    await streams.topic('run:1').publish({ n: 2 });
    await streams.topic('orders').publishBulk([{ data: 1 }]);
    expect(await registry.topics()).toEqual(['orders', 'run:1']);
    // The name is written before the entries: deleting the set and publishing through the same
    // instance does not re-add it (one SADD per instance and name).
    await raw.del(registryKeys(prefix).topics);
    await streams.topic('run:1').publish({ n: 3 });
    expect(await registry.topics()).toEqual([]);
  });

  it('writes the name before the first write: when the SADD fails, nothing is written', async () => {
    const prefix = uniquePrefix();
    const raw = new Redis(redisUrl());
    closers.push(async () => raw.disconnect());
    const reg = registryKeys(prefix);
    // A foreign key of the wrong type in the registry's place makes every SADD fail.
    await raw.set(reg.queues, 'in the way');
    await raw.set(reg.topics, 'in the way');
    const q = open(new Queue('orders', { connection: redisUrl(), prefix }));
    const streams = open(new Streams({ connection: redisUrl(), prefix, retry: { attempts: 1 } }));
    await expect(q.add('x', 1)).rejects.toThrow(/WRONGTYPE/);
    await expect(streams.topic('t').publish(1)).rejects.toThrow();
    expect(await raw.exists(...Object.values(queueKeys(prefix, 'orders')))).toBe(0);
    expect(await raw.exists(topicKeys(prefix, 't').stream, topicKeys(prefix, 't').meta)).toBe(0);
    // The failure is not remembered: once the way is clear, the next write registers.
    await raw.del(reg.queues, reg.topics);
    await q.add('x', 1);
    await streams.topic('t').publish(1);
    const registry = open(new Registry({ connection: redisUrl(), prefix }));
    expect(await registry.queues()).toEqual(['orders']);
    expect(await registry.topics()).toEqual(['t']);
  });
});
