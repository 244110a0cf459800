/**
 * A worker process holding prefetched jobs (short handlers at concurrency 1, so it holds jobs
 * beyond its one slot) is kill -9-ed mid-drain: the jobs it held but never started come back by
 * lease expiry like the running one, and every job completes exactly once on another worker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from '../../src/index.js';
import { queueKeys } from '../../src/redis/keys.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture } from './process.js';

const COUNT = 30_000;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'none' });
});
afterAll(async () => {
  await redis.stop();
});

it('kill -9 of a worker holding prefetched jobs: each held job completes exactly once elsewhere', async () => {
  const prefix = uniquePrefix();
  const env = { REDIS_URL: redis.url, PREFIX: prefix, QUEUE: 'held', LEASE_MS: '1000' };
  const queue = new Queue('held', { connection: redis.url, prefix });
  const raw = new Redis(redis.url);
  const ids = Array.from({ length: COUNT }, (_, i) => `j-${i}`);
  try {
    await queue.addBulk(ids.map((id, i) => ({ name: 'c', data: { i }, opts: { id } })));
    const started = new Set<string>();
    // Whether the kill finds jobs held beyond the slot is a matter of timing (a starved machine
    // may catch the worker between fetches): up to three doomed workers, one after another,
    // each killed mid-drain; the one that held jobs is the case under test, and every kill
    // must lose and double nothing (the tally below).
    let heldNeverStarted: string[] = [];
    let heldAtKill = 0;
    for (let attempt = 1; attempt <= 3 && heldNeverStarted.length === 0; attempt++) {
      const doomed = spawnFixture('worker.ts', { ...env, HANDLER: 'noop' }, (m) => {
        if (typeof m.started === 'string') started.add(m.started);
      });
      const goal = started.size + 2000;
      await waitFor(() => started.size >= goal, 'the doomed worker under way', 30_000);
      await doomed.kill9();
      await new Promise((r) => setTimeout(r, 300)); // its last lines on the pipe are read
      // Only the dead worker took jobs: what Redis counts as active now is what it held.
      const activeAtKill = await raw.zrange(queueKeys(prefix, 'held').active, 0, -1);
      heldNeverStarted = activeAtKill.filter((id) => !started.has(id));
      heldAtKill = activeAtKill.length;
    }
    expect(heldNeverStarted.length).toBeGreaterThan(0); // it did hold jobs beyond its slot

    const rescuer = spawnFixture('worker.ts', { ...env, HANDLER: 'noop' });
    try {
      await waitFor(
        async () => (await queue.stats()).totals.completed >= COUNT,
        'all completed',
        120_000,
      );
      const t = await tally(redis.url, prefix, 'held', ids);
      report('worker holding prefetched jobs kill -9-ed', t, {
        heldAtKill,
        heldNeverStarted: heldNeverStarted.length,
      });
      expect(t).toMatchObject({ expected: COUNT, completed: COUNT, lost: 0, duplicates: 0 });
      const recovered = await queue.getJob(heldNeverStarted[0]!);
      expect(recovered?.state).toBe('completed');
      // back by lease expiry, not by a release (twice if an earlier doomed worker held it too)
      expect(recovered?.totalStalls).toBeGreaterThanOrEqual(1);
    } finally {
      await rescuer.kill9();
    }
  } finally {
    raw.disconnect();
    await queue.close();
  }
}, 180_000);
