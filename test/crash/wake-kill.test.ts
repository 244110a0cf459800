/**
 * Idle workers whose wake-up carries its jobs (the fetch sent behind the BLPOP), kill -9-ed at
 * random moments while jobs trickle in one at a time — so the kills land between the steps of
 * that path: blocked, woken with jobs leased, handler running, complete in flight, blocked again.
 * Every job completes, each exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from '../../src/index.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture, type Child } from './process.js';

const COUNT = 3000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'none' });
});
afterAll(async () => {
  await redis.stop();
});

it('idle workers kill -9-ed on the wake-up path while jobs trickle in: each job completes once', async () => {
  const prefix = uniquePrefix();
  const env = {
    REDIS_URL: redis.url,
    PREFIX: prefix,
    QUEUE: 'trickle',
    HANDLER: 'noop',
    CONCURRENCY: '4',
    LEASE_MS: '1000',
  };
  const queue = new Queue('trickle', { connection: redis.url, prefix });
  const ids = Array.from({ length: COUNT }, (_, i) => `t-${i}`);
  const workers: Child[] = [];
  const startWorker = async () => {
    const w = spawnFixture('worker.ts', env);
    await w.waitFor((m) => m.ready === true);
    return w;
  };
  for (let i = 0; i < 3; i++) workers.push(await startWorker());
  let kills = 0;
  let added = 0;
  const producing = (async () => {
    // one job every ~2 ms: the workers are idle (blocked) between jobs
    for (const id of ids) {
      await queue.add('t', { id }, { id });
      added++;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  try {
    while (added < COUNT) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
      const victim = Math.floor(Math.random() * workers.length);
      await workers[victim]!.kill9();
      kills++;
      workers[victim] = await startWorker();
    }
    await producing;
    await waitFor(
      async () => (await queue.stats()).completed >= COUNT,
      'every job completed',
      60_000,
    );
    const t = await tally(redis.url, prefix, 'trickle', ids);
    report('idle workers kill -9-ed on the wake-up path, 3k trickled jobs', t, { kills });
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(t).toMatchObject({ expected: COUNT, completed: COUNT, lost: 0, duplicates: 0 });
  } finally {
    await Promise.all(workers.map((w) => w.kill9()));
    await queue.close();
  }
}, 180_000);
