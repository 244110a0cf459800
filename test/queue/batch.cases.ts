/**
 * Batch handlers, as cases that run on any Redis: `batch.test.ts` runs them on the shared
 * server, `batch-entity-cluster.test.ts` on the 3-master Cluster fixture. Each job of a batch
 * keeps its own lease, fencing and retry policy; the handler reports each job's outcome.
 */
import { describe, expect, it } from 'vitest';
import { UnrecoverableError } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

export function batchCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);

  describe('batch handler', () => {
    it('takes up to `size` jobs per call and records each outcome on its own', async () => {
      const q = h().queue<string>('bat');
      await q.addBulk(
        ['ok', 'result', 'fatal', 'flaky', 'ok', 'ok', 'ok'].map((data, i) => ({
          data,
          opts: { id: `j${i}` },
        })),
      );
      const calls: string[][] = [];
      const failedOnce = new Set<string>();
      const retried: string[] = [];
      const w = h().batchWorker<string, string>(
        'bat',
        async (jobs, ctx) => {
          calls.push(jobs.map((j) => j.id));
          for (const job of jobs) {
            if (job.data === 'result') ctx.complete(job, `done ${job.id}`);
            else if (job.data === 'fatal') ctx.fail(job, new UnrecoverableError('bad note'));
            else if (job.data === 'flaky' && !failedOnce.has(job.id)) {
              failedOnce.add(job.id);
              ctx.fail(job, new Error('index busy'));
            }
          }
          // the others: not reported, so they complete when this call resolves
        },
        {
          batch: { size: 5, maxWaitMs: 50 },
          retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } },
        },
      );
      w.on('retrying', (job) => retried.push(job.id));
      await waitFor(async () => {
        const s = await q.stats();
        return s.completed === 6 && s.failed === 1;
      }, 'all settled');
      expect(calls[0]).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
      expect(calls.flat().sort()).toEqual(['j0', 'j1', 'j2', 'j3', 'j3', 'j4', 'j5', 'j6']);
      expect(calls.every((c) => c.length <= 5)).toBe(true);
      expect(retried).toEqual(['j3']);
      const s = await h().state('bat');
      expect(Object.keys(s.failed)).toEqual(['j2']);
      expect(s.info.j2).toMatchObject({ attempts: 1, failedReason: 'bad note' });
      expect(s.info.j3).toMatchObject({ attempts: 1 });
      expect(s.info.j3!.history![0]!.error).toBe('index busy');
      expect(s.results).toEqual({ j1: '"done j1"' });
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
    });

    it('a thrown handler fails the attempt of every job it did not report', async () => {
      const q = h().queue<number>('bat');
      await q.addBulk([1, 2, 3].map((n) => ({ data: n, opts: { id: `n${n}` } })));
      let calls = 0;
      h().batchWorker<number>(
        'bat',
        (jobs, ctx) => {
          calls++;
          ctx.complete(jobs.find((j) => j.data === 1)!);
          throw new Error('bulk request failed');
        },
        { batch: { size: 10 }, retry: { maxAttempts: 1 } },
      );
      await waitFor(async () => (await q.stats()).failed === 2, 'two failed');
      const s = await h().state('bat');
      expect(Object.keys(s.completed)).toEqual(['n1']);
      expect(Object.keys(s.failed).sort()).toEqual(['n2', 'n3']);
      expect(s.info.n2!.failedReason).toBe('bulk request failed');
      expect(calls).toBe(1);
    });

    it('fences per job: a job whose lease was lost is not recorded, the others are', async () => {
      const q = h().queue<string>('bat');
      await q.addBulk(['a', 'b', 'c'].map((id) => ({ data: id, opts: { id } })));
      const k = h().keys('bat');
      const lost: string[] = [];
      const inHandler = deferred();
      const proceed = deferred();
      const w = h().batchWorker<string>(
        'bat',
        async (jobs, ctx) => {
          inHandler.resolve();
          await proceed.promise;
          for (const job of jobs) ctx.complete(job);
        },
        { batch: { size: 3, maxWaitMs: 100 }, leaseMs: 600, heartbeatMs: 50 },
      );
      w.on('lease-lost', (id) => lost.push(id));
      await inHandler.promise;
      // Another worker took `b` over (its token is not ours any more, its lease is long).
      await h().redis.hset(k.lease, 'b', 'someone-else:1');
      await h().redis.zadd(k.active, (await h().now()) + 60_000, 'b');
      await waitFor(() => lost.includes('b'), 'lease of b lost');
      // Longer than the lease: the heartbeat renews a and c meanwhile.
      await new Promise((r) => setTimeout(r, 800));
      proceed.resolve();
      await waitFor(async () => (await q.stats()).completed === 2, 'a and c completed');
      const s = await h().state('bat');
      expect(Object.keys(s.completed).sort()).toEqual(['a', 'c']);
      expect(s.lease).toEqual({ b: 'someone-else:1' });
      expect(Object.keys(s.active)).toEqual(['b']);
      expect(lost).toEqual(['b']);
    });
  });
}
