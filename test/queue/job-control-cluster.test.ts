/**
 * Timeouts, cancellation, progress and logs on a real 3-master Redis Cluster: every key in KEYS
 * (one slot per queue), the cancel channel published from a script and heard by a worker's
 * Cluster subscription, progress events read from the queue's stream.
 */
import { describe, expect, it } from 'vitest';
import { onRedisCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

onRedisCluster((connection) => {
  const h = useHarness(connection);

  describe('job control', () => {
    it('cancels a waiting grouped job, and an active job on its worker', async () => {
      const q = h().queue('cc');
      await q.add('x', null, { id: 'wait', group: 'g' });
      expect(await q.cancel('wait')).toBe('removed');
      expect(await q.getJob('wait')).toBeUndefined();
      expect(await h().redis.zcard(h().keys('cc').gwait)).toBe(0);

      await q.add('x', null, { id: 'run', maxAttempts: 3 });
      const reason = deferred<unknown>();
      // heartbeat every 20 s: the abort can only have come over the cancel channel
      const w = h().worker(
        'cc',
        async (_job, ctx) => {
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
          reason.resolve(ctx.signal.reason);
          throw ctx.signal.reason;
        },
        { leaseMs: 60_000 },
      );
      await waitFor(async () => (await q.getJob('run'))?.state === 'active', 'active');
      expect(await q.cancel('run')).toBe('cancelling');
      expect(await reason.promise).toMatchObject({ code: 'SLC_ERR_CANCELLED' });
      await waitFor(async () => (await q.getJob('run'))?.state === 'failed', 'failed');
      expect(await q.getJob('run')).toMatchObject({ failedReason: 'cancelled', attemptsMade: 1 });
      await w.close();
    });

    it('times a job out and rejects its late result; progress and logs are read back', async () => {
      const q = h().queue('ct');
      const seen: unknown[] = [];
      q.on('progress', (_id, v) => seen.push(v));
      await new Promise<void>((r) => q.once('ready', r));
      await q.add('x', null, { id: 'slow', timeoutMs: 100, maxAttempts: 1 });
      const late = deferred();
      const lost: string[] = [];
      const w = h().worker('ct', async (job) => {
        await job.progress({ pct: 10 });
        await job.log('working');
        await late.promise;
        return 'late';
      });
      w.on('lease-lost', (id) => lost.push(id));
      await waitFor(async () => (await q.getJob('slow'))?.state === 'failed', 'timed out');
      late.resolve();
      await waitFor(() => lost.length === 1, 'late result rejected');
      await w.close();
      const job = await q.getJob('slow');
      expect(job).toMatchObject({
        failedReason: 'job slow timed out after 100 ms',
        returnValue: undefined,
        progressValue: { pct: 10 },
        logs: ['working'],
      });
      await waitFor(() => seen.length === 1, 'progress event');
      expect(seen).toEqual([{ pct: 10 }]);
    });
  });
});
