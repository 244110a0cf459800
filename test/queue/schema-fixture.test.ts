/**
 * Data written by layout version 1 (test/fixtures/queue-v1.json, dumped from a real queue) is
 * read and worked by this version. When the layout changes, this fixture stays and the code must
 * still read it (or migrate it).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue, Worker } from '../../src/index.js';
import { queueKeys, SCHEMA_VERSION, type QueueKeys } from '../../src/redis/keys.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

interface Fixture {
  schemaVersion: number;
  queue: string;
  keys: Record<
    string,
    { type: 'hash' | 'list' | 'zset'; value: Record<string, string> | string[] }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/queue-v1.json', import.meta.url), 'utf8'),
) as Fixture;
const prefix = uniquePrefix();
let queue: Queue;

beforeAll(async () => {
  const redis = new Redis(redisUrl());
  const keys = queueKeys(prefix, fixture.queue);
  for (const [part, { type, value }] of Object.entries(fixture.keys)) {
    const key = keys[part as keyof QueueKeys];
    if (type === 'hash') await redis.hset(key, value as Record<string, string>);
    if (type === 'list') await redis.rpush(key, ...(value as string[]));
    if (type === 'zset') {
      const flat = value as string[];
      for (let i = 0; i < flat.length; i += 2) await redis.zadd(key, flat[i + 1]!, flat[i]!);
    }
  }
  redis.disconnect();
  queue = new Queue(fixture.queue, { connection: redisUrl(), prefix });
});
afterAll(() => queue.close());

it('is the layout version this code writes, or one it still reads', () => {
  expect(fixture.schemaVersion).toBeLessThanOrEqual(SCHEMA_VERSION);
});

it('reads every job of the old data with its state, data, metadata, history and result', async () => {
  expect(await queue.getJob('c1')).toMatchObject({
    state: 'completed',
    name: 'done',
    data: { n: 1 },
    returnValue: { ok: 'c1' },
  });
  const failed = await queue.getJob('f1');
  expect(failed).toMatchObject({
    state: 'failed',
    failedReason: 'boom',
    meta: { userId: 'u1' },
    attemptsMade: 1,
  });
  expect(failed?.history[0]).toMatchObject({ error: 'boom' });
  expect(await queue.getJob('d1')).toMatchObject({ state: 'delayed', data: { n: 5 } });
  expect(await queue.getJob('p1')).toMatchObject({ state: 'waiting', priority: 10 });
  expect(await queue.stats()).toMatchObject({
    waiting: 3,
    delayed: 1,
    completed: 1,
    failed: 1,
    totals: { completed: 1, failed: 1 },
  });
});

it('works the old waiting jobs in priority then FIFO order, and continues its id counter', async () => {
  const order: string[] = [];
  const worker = new Worker(fixture.queue, async (job) => void order.push(job.id), {
    connection: redisUrl(),
    prefix,
  });
  try {
    await waitFor(() => order.length === 3, 'three jobs');
    expect(order).toEqual(['p1', 'w1', '1']);
    const { id } = await queue.add('new', { n: 7 });
    expect(id).toBe('2');
    expect(await queue.retryFailed(['f1'])).toBe(1);
    await waitFor(
      async () => (await queue.getJob('f1'))?.state === 'completed',
      'retried old failed job',
    );
  } finally {
    await worker.close();
  }
});
