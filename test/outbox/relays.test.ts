/**
 * Several relays at once share the work without doing any twice and keep each queue's order;
 * with Redis down rows pile up in PostgreSQL (visible as lag) and flow, in order, once it is back.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Queue } from '../../src/index.js';
import { Outbox, Relay } from '../../src/outbox/index.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { outboxRows, usePostgres } from './helpers.js';

const pg = usePostgres();
const outbox = new Outbox();
const open: { close?(): Promise<unknown>; stop?(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await (c.stop ?? c.close)!.call(c);
});

it('two relays at once: each row delivered once, each queue in order, both did work', async () => {
  const db = await pg.db();
  const prefix = uniquePrefix();
  const QUEUES = 8;
  const PER = 60;
  // Interleaved writers: transaction t writes rows t*6..t*6+5 of every queue.
  for (let t = 0; t < PER / 6; t++)
    await db.tx(async (tx) => {
      for (let i = 0; i < 6; i++)
        for (let q = 0; q < QUEUES; q++) await outbox.add(tx, `q${q}`, 'n', t * 6 + i);
    });
  const relays = [0, 1].map(
    () => new Relay({ pool: db.pool, connection: redisUrl(), prefix, batchSize: 10, pollMs: 100 }),
  );
  open.push(...relays);
  for (const r of relays) r.start();
  await waitFor(async () => (await outboxRows(db.pool)) === 0, 'outbox drained', 20_000);
  const [a, b] = relays.map((r) => r.stats);
  expect(a!.delivered + b!.delivered).toBe(QUEUES * PER);
  expect(a!.repeated + b!.repeated).toBe(0); // no batch was sent twice
  expect(a!.delivered).toBeGreaterThan(0);
  expect(b!.delivered).toBeGreaterThan(0);
  for (let q = 0; q < QUEUES; q++) {
    const queue = new Queue(`q${q}`, { connection: redisUrl(), prefix });
    open.push(queue);
    const { total, jobs } = await queue.getJobs('waiting', { limit: 1000 });
    expect(total).toBe(PER);
    expect(jobs.map((j) => j.data)).toEqual([...Array(PER).keys()]);
  }
});

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'aof-always' });
});
afterAll(async () => {
  await redis.stop();
});

it('Redis down while rows pile up: they wait in PostgreSQL (lag) and flow in order when it is back', async () => {
  const db = await pg.db();
  const prefix = uniquePrefix();
  const handles = new Map<string, Queue>();
  const relay = new Relay({
    pool: db.pool,
    prefix,
    batchSize: 25,
    pollMs: 100,
    // Fail fast while Redis is away, so the test sees errors (the rows stay in PostgreSQL).
    queue: (name) => {
      if (!handles.has(name))
        handles.set(
          name,
          new Queue(name, {
            connection: redis.url,
            prefix,
            connectionRetry: { attempts: 2, minDelayMs: 50, maxDelayMs: 100 },
          }),
        );
      return handles.get(name)!;
    },
  });
  const errors: string[] = [];
  relay.on('error', (err) => errors.push(err.code));
  open.push({ close: async () => Promise.all([...handles.values()].map((q) => q.close())) });
  open.push(relay);
  relay.start();
  const reader = new Queue('outage', { connection: redis.url, prefix });
  open.push(reader);
  for (let i = 0; i < 10; i++) await db.tx((tx) => outbox.add(tx, 'outage', 'n', i));
  await waitFor(async () => (await reader.stats()).waiting === 10, 'before the outage');

  await redis.kill9();
  for (let i = 10; i < 110; i++) await db.tx((tx) => outbox.add(tx, 'outage', 'n', i));
  await waitFor(() => errors.length > 0, 'the relay sees Redis down');
  expect(errors[0]).toBe('SLC_ERR_CONNECTION');
  const lag = await relay.lag();
  expect(lag.rows).toBe(100);
  expect(lag.oldestSeconds).toBeGreaterThan(0);

  await redis.restart(); // same port, AOF: the first 10 jobs are still there
  await waitFor(async () => (await outboxRows(db.pool)) === 0, 'drained after the outage', 20_000);
  const { total, jobs } = await reader.getJobs('waiting', { limit: 200 });
  expect(total).toBe(110);
  expect(jobs.map((j) => j.data)).toEqual([...Array(110).keys()]);
  expect(await relay.lag()).toEqual({ rows: 0, oldestSeconds: 0 });
});
