/**
 * Partitioned queues, as cases that run on any Redis: `partitions.test.ts` runs them on the
 * shared single server, `partitions-cluster.test.ts` on the 3-master Cluster fixture.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { queuePartitionKeys } from '../../src/redis/keys.js';
import { partitionOf } from '../../src/queue/partitions/partition-layout.js';
import { waitFor } from '../harness/context.js';
import { caught, useHarness } from './helpers.js';

export function partitionCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);
  const waiting = (name: string, i: number) =>
    h().redis.llen(queuePartitionKeys(h().prefix, name, i).wait);

  describe('partitioned queue', () => {
    it('spreads jobs over its partitions and reads as one queue', async () => {
      const q = h().queue('pq', { partitions: 4 });
      const added = await q.addBulk(Array.from({ length: 40 }, (_, i) => ({ name: 'j', data: i })));
      await q.add('k', 40, { id: 'job-40' });
      const per = await Promise.all([0, 1, 2, 3].map((i) => waiting('pq', i)));
      expect(per.reduce((a, b) => a + b, 0)).toBe(41);
      expect(per.every((n) => n >= 5)).toBe(true); // round-robin: 10 or 11 each
      // Auto ids hash to their partition; an explicit id goes to its hash's partition.
      for (const a of added) expect(partitionOf(a.id, 4)).toBeGreaterThanOrEqual(0);
      expect(
        await h().redis.hexists(
          queuePartitionKeys(h().prefix, 'pq', partitionOf('job-40', 4)).jobs,
          'job-40',
        ),
      ).toBe(1);
      const plain = h().queue('pq'); // no option: reads the stored count
      const s = await plain.stats();
      expect([s.name, s.waiting, s.active]).toEqual(['pq', 41, 0]);
      expect((await plain.getJob(added[7]!.id))?.data).toBe(7);
      expect((await plain.getJob('job-40'))?.name).toBe('k');
      const page = await plain.getJobs('waiting', { offset: 10, limit: 20 });
      expect([page.total, page.jobs.length]).toEqual([41, 20]);
      // Merged in run order (FIFO by creation): the 11th to 30th added.
      const all = await plain.getJobs('waiting', { limit: 100 });
      expect(all.jobs.map((j) => j.createdAt)).toEqual(
        [...all.jobs.map((j) => j.createdAt)].sort((a, b) => a - b),
      );
      const found: string[] = [];
      let cur = '0';
      do {
        const r = await plain.search({ query: 'k', field: 'name', cursor: cur });
        found.push(...r.ids);
        cur = r.cursor;
      } while (cur !== '0');
      expect(found).toEqual(['job-40']);
    });

    it('a worker drains every partition once per job, with one shared concurrency', async () => {
      const q = h().queue<number>('pw', { partitions: 4 });
      await q.addBulk(Array.from({ length: 60 }, (_, i) => ({ name: 'j', data: i })));
      let running = 0;
      let peak = 0;
      const seen: number[] = [];
      h().worker<number>(
        'pw',
        async (job) => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 2));
          seen.push(job.data);
          running--;
        },
        { partitions: 4, concurrency: 3 },
      );
      await waitFor(async () => (await q.stats()).completed === 60, 'all completed', 20_000);
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
      for (const i of [0, 1, 2, 3]) expect(await waiting('pw', i)).toBe(0);
    });

    it('keeps a group in one partition and in order', async () => {
      const q = h().queue<number>('pg', { partitions: 4 });
      for (let i = 0; i < 12; i++) await q.add('j', i, { group: 'acct-1' });
      const gwait = await Promise.all(
        [0, 1, 2, 3].map((i) => h().redis.zcard(queuePartitionKeys(h().prefix, 'pg', i).gwait)),
      );
      expect(gwait.filter((n) => n > 0)).toEqual([12]);
      const order: number[] = [];
      h().worker<number>('pg', (job) => void order.push(job.data), {
        partitions: 4,
        concurrency: 4,
      });
      await waitFor(() => order.length === 12, 'group drained');
      expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i));
    });

    it('wakes a blocked worker on any partition without polling', async () => {
      const q = h().queue('pb', { partitions: 3 });
      const done: string[] = [];
      const w = h().worker('pb', (job) => void done.push(job.id), {
        partitions: 3,
        idleWakeMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 300)); // every inner worker is now blocked
      const ids = ['a-1', 'b-2', 'c-3', 'd-4', 'e-5'];
      for (const id of ids) await q.add('j', null, { id });
      await waitFor(() => done.length === ids.length, 'woken by each marker', 5000);
      expect(new Set(ids.map((id) => partitionOf(id, 3))).size).toBeGreaterThan(1);
      expect(w.running).toBe(0);
    });

    it('admin operations act on every partition', async () => {
      const q = h().queue('pa', { partitions: 4 });
      await q.pause();
      expect(await q.isPaused()).toBe(true);
      await q.add('d', null, { id: 'later', delay: 60_000 });
      // An explicit id placed by its group may sit outside its hash's partition: still found.
      await q.add('g', null, { id: 'grp-x', group: 'zz', delay: 60_000 });
      await q.promote('grp-x');
      expect((await q.getJob('grp-x'))?.state).toBe('waiting');
      expect(await q.remove('later')).toBe(true);
      expect(await q.remove('later')).toBe(false);
      expect((await caught(() => q.promote('nope'))).code).toBe('SLC_ERR_JOB_NOT_FOUND');
      expect((await caught(() => q.setLimits({ concurrency: 2 }))).code).toBe(
        'SLC_ERR_INVALID_OPTIONS',
      );
      await q.setLimits({ groupConcurrency: 2 });
      expect(await q.getLimits()).toMatchObject({ groupConcurrency: 2 });
      await q.addBulk([
        { name: 'a', data: 1 },
        { name: 'b', data: 2 },
      ]);
      const failed: Job[] = [];
      const w = h().worker('pa', () => Promise.reject(new Error('no')), {
        partitions: 4,
        retry: { maxAttempts: 1 },
      });
      w.on('failed', (job) => void failed.push(job));
      await q.resume();
      await waitFor(() => failed.length === 3, 'three failed');
      await w.close();
      expect((await q.stats()).failed).toBe(3);
      expect((await q.getJobs('failed')).jobs).toHaveLength(3);
      expect(await q.retryFailed()).toBe(3);
      expect(await q.clear()).toBe(3);
      expect((await q.stats()).waiting).toBe(0);
    });

    it('refuses a different partition count, naming the stored one', async () => {
      await h().queue('pn', { partitions: 4 }).add('j', null);
      const err = await caught(() => h().queue('pn', { partitions: 2 }).add('j', null));
      expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
      expect(err.message).toContain('has 4 partitions');
      expect((await caught(() => h().queue('pn', { partitions: 1 }).stats())).code).toBe(
        'SLC_ERR_INVALID_OPTIONS',
      );
      const w = h().worker('pn', () => {}, { partitions: 3, autorun: false });
      const reported = new Promise<Error & { code?: string }>((r) => w.on('error', r));
      w.run();
      const e = await reported;
      expect([e.code, e.message.includes('has 4 partitions')]).toEqual([
        'SLC_ERR_INVALID_OPTIONS',
        true,
      ]);
      expect(w.running).toBe(0);
    });
  });
}
