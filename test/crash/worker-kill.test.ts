/**
 * A worker process is kill -9-ed mid-job: after its lease expires the job is recovered (a stall)
 * and completes exactly once, on another worker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue } from '../../src/index.js';
import { uniquePrefix, waitFor } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';
import { report, tally } from './accounting.js';
import { spawnFixture } from './process.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start({ persistence: 'none' });
});
afterAll(async () => {
  await redis.stop();
});

it('a job whose worker is kill -9-ed mid-job completes exactly once after lease expiry', async () => {
  const prefix = uniquePrefix();
  const env = { REDIS_URL: redis.url, PREFIX: prefix, QUEUE: 'kill', LEASE_MS: '1000' };
  const queue = new Queue('kill', { connection: redis.url, prefix });
  try {
    const doomed = spawnFixture('worker.ts', { ...env, HANDLER: 'hang' });
    await doomed.waitFor((m) => m.ready === true);
    await queue.add('k', { v: 1 }, { id: 'the-job' });
    await doomed.waitFor((m) => m.started === 'the-job');
    await doomed.kill9();
    expect((await queue.getJob('the-job'))?.state).toBe('active'); // held by a dead worker

    const starts: unknown[] = [];
    const rescuer = spawnFixture(
      'worker.ts',
      { ...env, HANDLER: 'noop' },
      (m) => m.started && starts.push(m.started),
    );
    try {
      await waitFor(
        async () => (await queue.getJob('the-job'))?.state === 'completed',
        'recovered completion',
        20_000,
      );
      const job = await queue.getJob('the-job');
      expect(job?.totalStalls).toBe(1);
      expect(job?.returnValue).toEqual({ by: rescuer.proc.pid });
      const t = await tally(redis.url, prefix, 'kill', ['the-job']);
      report('worker kill -9 mid-job', t);
      expect(t).toMatchObject({ lost: 0, duplicates: 0 });
      expect(starts).toEqual(['the-job']);
    } finally {
      await rescuer.kill9();
    }
  } finally {
    await queue.close();
  }
});
