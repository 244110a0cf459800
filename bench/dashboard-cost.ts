/**
 * The Redis cost of an open dashboard: 1,000 queues, a server, and N dashboards on the live
 * stream (`GET /v1/live/queues`). Measures commands/s by INFO commandstats deltas over a window,
 * with 1 and with 5 viewers (the shared poller makes them cost the same).
 * Run: `npx tsx bench/dashboard-cost.ts [queues=1000] [seconds=10]`
 */
import { Redis } from 'ioredis';
import { RedisServer } from '../test/harness/redis-server.js';
import { buildApp } from '../src/server/app.js';
import { closeContext, createContext } from '../src/server/context.js';
import { Queue } from '../src/index.js';

const QUEUES = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 10);

async function totalCalls(r: Redis): Promise<number> {
  const info = await r.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

async function measure(url: string, r: Redis, viewers: number): Promise<number> {
  const aborts = Array.from({ length: viewers }, () => new AbortController());
  for (const a of aborts)
    void fetch(`${url}/v1/live/queues`, { signal: a.signal })
      .then(async (res) => {
        for await (const _ of res.body!) void _;
      })
      .catch(() => {});
  await new Promise((res) => setTimeout(res, 3000)); // let the poller settle
  const before = await totalCalls(r);
  await new Promise((res) => setTimeout(res, SECONDS * 1000));
  const after = await totalCalls(r);
  for (const a of aborts) a.abort();
  await new Promise((res) => setTimeout(res, 1500));
  // Each INFO call counts once: take out the two of the measurement.
  return (after - before - 1) / SECONDS;
}

const redis = await RedisServer.start();
const prefix = 'bench';
const seed = new Redis(redis.url);
for (let i = 0; i < QUEUES; i++) {
  const q = new Queue(`q${i}`, { connection: redis.url, prefix });
  await q.add('x', { i });
  await q.close();
}
const ctx = createContext({
  redisUrl: redis.url,
  prefix,
  host: '127.0.0.1',
  port: 0,
  logLevel: 'silent',
});
const app = await buildApp(ctx);
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const idle = await measure(url, seed, 0);
const one = await measure(url, seed, 1);
const five = await measure(url, seed, 5);
process.stdout.write(
  `queues=${QUEUES} window=${SECONDS}s  commands/s: no dashboard ${idle.toFixed(1)}, ` +
    `1 dashboard ${one.toFixed(1)}, 5 dashboards ${five.toFixed(1)}\n`,
);
await app.close();
await closeContext(ctx);
seed.disconnect();
await redis.stop();
