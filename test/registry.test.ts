/** The registry of names: written before a queue's or topic's first write, read by `Registry`. */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue, Registry, Streams } from '../src/index.js';
import { registryKeys } from '../src/redis/keys.js';
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
});
