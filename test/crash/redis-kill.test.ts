/**
 * A producer adds 10,000 jobs with its own ids (retrying failed adds) while Redis, with AOF
 * `appendfsync always`, is kill -9-ed and restarted twice; workers run throughout. Every job must
 * complete, each exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture } from './process.js';
import { Redis } from 'ioredis';
import { queueKeys } from '../../src/redis/keys.js';

const COUNT = 10_000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'aof-always' });
});
afterAll(async () => {
  await redis.stop();
});

it('10,000 jobs added across two Redis kill -9 restarts (AOF always) all complete exactly once', async () => {
  const prefix = uniquePrefix();
  const env = { REDIS_URL: redis.url, PREFIX: prefix, QUEUE: 'durable' };
  let added = 0;
  const producer = spawnFixture(
    'producer.ts',
    { ...env, COUNT: String(COUNT), IN_FLIGHT: '20' },
    (m) => {
      if (typeof m.added === 'number') added = m.added;
    },
  );
  const workers = [0, 1].map(() =>
    spawnFixture('worker.ts', {
      ...env,
      HANDLER: 'sleep:0-2',
      CONCURRENCY: '20',
      LEASE_MS: '2000',
    }),
  );
  try {
    await Promise.all(workers.map((w) => w.waitFor((m) => m.ready === true)));
    const restarts: number[] = [];
    for (const at of [2500, 6000]) {
      await waitFor(() => added >= at, `${at} adds`, 60_000);
      console.log('[crash] killing redis at added =', added);
      await redis.kill9();
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart();
      restarts.push(added);
    }
    console.log('[crash] restarts done; waiting for producer');
    await producer.waitFor((m) => m.finished === true, 120_000);
    console.log('[crash] producer finished');
    const probe = new Redis(redis.url);
    const k = queueKeys(prefix, 'durable');
    try {
      await waitFor(
        async () => (await probe.zcard(k.completed)) >= COUNT,
        'all completions',
        120_000,
      );
    } finally {
      probe.disconnect();
    }
    const ids = Array.from({ length: COUNT }, (_, i) => `job-${i}`);
    const t = await tally(redis.url, prefix, 'durable', ids);
    report('redis kill -9 x2 during 10k adds (AOF always)', t, { restartsAtAdded: restarts });
    expect(t).toMatchObject({ expected: COUNT, completed: COUNT, lost: 0, duplicates: 0 });
  } finally {
    await Promise.all([producer.kill9(), ...workers.map((w) => w.kill9())]);
  }
}, 300_000);
