/**
 * Redis time of the admin and background steps that used to scale with a queue's or topic's
 * size: one reclaim step with `--n` entries pending and none idle, one publish while a live
 * group holds the topic back, removing a waiting job from the oldest end of `--n` waiting, and
 * each step of retrying 2,000 failed jobs with 3-attempt histories. SLOWLOG on a private
 * redis-server; µs per script call (least of 5 where repeated).
 *
 *   npx tsx bench/tools/admin-steps.ts [--n 1000000]
 */
import { Redis } from 'ioredis';
import { Queue, Streams, Worker } from '../../src/index.js';
import { deadLetterKey, topicKeys } from '../../src/redis/keys.js';
import { script } from '../../src/redis/scripts.js';
import { RedisServer } from '../../test/harness/redis-server.js';
import { leastScriptTimeUs, scriptTimesUs } from '../../test/harness/redis-time.js';

const i = process.argv.indexOf('--n');
const n = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
const server = await RedisServer.start({ persistence: 'none' });
const raw = new Redis(server.url);
const streams = new Streams({ connection: server.url });
const fill = async (key: string, count: number) => {
  for (let j = 0; j < count; j += 10_000) {
    const p = raw.pipeline();
    for (let m = j; m < Math.min(count, j + 10_000); m++) p.xadd(key, '*', 'd', String(m));
    await p.exec();
  }
};
try {
  const busy = streams.topic<number>('busy');
  await busy.group('g').create();
  const k = topicKeys('sluice', 'busy');
  await fill(k.stream, n);
  await raw.xreadgroup('GROUP', 'g', 'owner', 'COUNT', n, 'STREAMS', k.stream, '>');
  const reclaim = script(raw, 'stream_group_reclaim');
  const keys = [k.stream, k.meta, k.errors, deadLetterKey(k, 'g')];
  const reclaimUs = await leastScriptTimeUs(raw, 5, () =>
    reclaim(keys, ['g', 'other', 60_000, 10, 5, 0, '0']),
  );
  console.log(`reclaim step, ${n} pending, none idle: ${reclaimUs} µs`);
  await raw.del(k.stream);

  const held = streams.topic<number>('held', { maxLen: 100 });
  await held.group('slow').create();
  const h = topicKeys('sluice', 'held');
  await fill(h.stream, 20_000);
  await raw.xreadgroup('GROUP', 'slow', 'c', 'COUNT', 10, 'STREAMS', h.stream, '>');
  console.log(
    `publish, live group holding 20,000 back: ${await leastScriptTimeUs(raw, 5, (m) => held.publish(m))} µs`,
  );

  const q = new Queue('long', { connection: server.url });
  for (let j = 0; j < n; j += 1000)
    await q.addBulk(
      Array.from({ length: 1000 }, (_, m) => ({ data: j + m, opts: { id: `j${j + m}` } })),
    );
  const removeUs = await leastScriptTimeUs(raw, 5, (m) => q.remove(`j${n / 2 + m}`));
  console.log(`remove from the middle of ${n} waiting: ${removeUs} µs`);
  await q.clear();

  const dead = new Queue('dead', { connection: server.url });
  await dead.addBulk(Array.from({ length: 2000 }, (_, m) => ({ data: m })));
  let failed = 0;
  await new Promise<void>((resolve) => {
    const w = new Worker('dead', () => Promise.reject(new Error(`boom ${'x'.repeat(400)}`)), {
      connection: server.url,
      concurrency: 50,
      retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } },
    });
    w.on('failed', () => {
      if (++failed === 2000) void w.close().then(resolve);
    });
  });
  const steps = await scriptTimesUs(raw, () => dead.retryFailed());
  console.log(
    `retryFailed of 2,000 (3-attempt histories): ${steps.length} steps, max ${Math.max(...steps)} µs, median ${steps.sort((a, b) => a - b)[steps.length >> 1]} µs`,
  );
  await Promise.all([q.close(), dead.close()]);
} finally {
  await streams.close();
  raw.disconnect();
  await server.stop();
}
