/**
 * Four worker processes drain 20,000 jobs while one random worker is kill -9-ed and restarted
 * every ~1 s. Every job completes, each exactly once (a handler may run twice after a crash;
 * the recorded completion may not).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from '../../src/index.js';
import { uniquePrefix } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture, type Child } from './process.js';

const COUNT = 20_000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'none' });
});
afterAll(async () => {
  await redis.stop();
});

it('4 workers, one kill -9-ed and restarted every ~1 s, drain 20,000 jobs exactly once', async () => {
  const prefix = uniquePrefix();
  const env = {
    REDIS_URL: redis.url,
    PREFIX: prefix,
    QUEUE: 'churn',
    HANDLER: 'sleep:5-25',
    CONCURRENCY: '10',
    LEASE_MS: '1000',
  };
  const queue = new Queue('churn', { connection: redis.url, prefix });
  const ids = Array.from({ length: COUNT }, (_, i) => `j-${i}`);
  await queue.addBulk(ids.map((id, i) => ({ name: 'c', data: { i }, opts: { id } })));
  const starts = new Map<string, number>();
  const onMsg = (m: Record<string, unknown>) => {
    if (typeof m.started === 'string') starts.set(m.started, (starts.get(m.started) ?? 0) + 1);
  };
  const workers: Child[] = [];
  const startWorker = async () => {
    const w = spawnFixture('worker.ts', env, onMsg);
    await w.waitFor((m) => m.ready === true);
    return w;
  };
  for (let i = 0; i < 4; i++) workers.push(await startWorker());
  let kills = 0;
  try {
    for (;;) {
      const s = await queue.stats();
      if (s.completed >= COUNT) break;
      if (s.waiting === 0 && s.active === 0 && s.delayed === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
      // work left (waiting, or held by the workers: they prefetch): kill one
      const left = await queue.stats();
      if (left.waiting + left.active > 0) {
        const victim = Math.floor(Math.random() * workers.length);
        await workers[victim]!.kill9();
        kills++;
        // restarted without waiting for it to be ready: a loaded machine takes seconds to start
        // one, and the drain would end before the churn it is here to test
        workers[victim] = spawnFixture('worker.ts', env, onMsg);
      }
    }
    const t = await tally(redis.url, prefix, 'churn', ids);
    const rerun = [...starts.values()].filter((n) => n > 1).length;
    report('4 workers with kill -9 churn, 20k jobs', t, { kills, handlersRunTwiceOrMore: rerun });
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(t).toMatchObject({ expected: COUNT, completed: COUNT, lost: 0, duplicates: 0 });
  } finally {
    await Promise.all(workers.map((w) => w.kill9()));
    await queue.close();
  }
}, 300_000);
