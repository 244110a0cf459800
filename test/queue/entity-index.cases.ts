/**
 * The per-entity index, as cases that run on any Redis: `entity-index.test.ts` runs them on the
 * shared server, `batch-entity-cluster.test.ts` on the 3-master Cluster fixture. Listing one
 * entity's jobs reads the index (newest first, each with its state, paged by rank); every path
 * that deletes a job also deletes its index member, so the index stays as large as the jobs.
 */
import { describe, expect, it } from 'vitest';
import { UnrecoverableError } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { waitFor } from '../harness/context.js';
import { caught, deferred, useHarness } from './helpers.js';

export function entityIndexCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);
  const members = (q: string) => h().redis.zrange(h().keys(q).entity, 0, -1);

  describe('per-entity index', () => {
    it("lists one entity's jobs newest first with their states, and nobody else's", async () => {
      const q = h().queue<string>('ent');
      // Neighbours whose names sort next to `acct-4`: none of them may leak into its listing.
      for (const other of ['acct-', 'acct-40', 'acct-4 ', 'acct-3', 'acct-5'])
        await q.add('sms', other, { entity: other });
      await q.add('sms', 'fails', { entity: 'acct-4', id: 'f' });
      await q.add('sms', 'completes', { entity: 'acct-4', id: 'c' });
      await q.add('sms', 'runs', { entity: 'acct-4', id: 'r' });
      const hold = deferred();
      const started = deferred();
      h().worker<string>(
        'ent',
        async (job) => {
          if (job.data === 'fails') throw new UnrecoverableError('provider said no');
          if (job.data === 'runs') {
            started.resolve();
            await hold.promise;
          }
        },
        // no prefetch: the ack of `c` could otherwise hold a job added below behind `r` (for
        // up to 50 ms, see worker/fetching/prefetch.ts)
        { concurrency: 1, prefetch: 0 },
      );
      // One slot, held by `r`: what is added now stays where it is while we look.
      await started.promise;
      await q.addBulk([
        { data: 'later', opts: { entity: 'acct-4', id: 'd', delay: 60_000 } },
        { data: 'waits', opts: { entity: 'acct-4', priority: 'high' } },
        { data: 'plain' }, // not indexed
      ]);

      const page = await q.getEntityJobs('acct-4', { limit: 10 });
      const waitsId = page.jobs[0]!.id;
      expect(page.total).toBe(5);
      expect(page.jobs.map((j) => [j.data, j.state])).toEqual([
        ['waits', 'waiting'],
        ['later', 'delayed'],
        ['runs', 'active'],
        ['completes', 'completed'],
        ['fails', 'failed'],
      ]);
      expect(page.jobs[4]!.failedReason).toBe('provider said no');
      expect(page.jobs[4]!.attemptsMade).toBe(1);
      expect(page.jobs[1]!.timestamp).toBeGreaterThan(Date.now() + 50_000); // due time
      expect(page.jobs.every((j) => j.options.entity === 'acct-4')).toBe(true);

      // Pages by offset: the same order, cut where asked.
      const p2 = await q.getEntityJobs('acct-4', { offset: 1, limit: 2 });
      expect(p2).toMatchObject({ total: 5 });
      expect(p2.jobs.map((j) => j.id)).toEqual(['d', 'r']);
      const tail = await q.getEntityJobs('acct-4', { offset: 4, limit: 50 });
      expect(tail.jobs.map((j) => j.id)).toEqual(['f']);
      expect((await q.getEntityJobs('acct-4', { offset: 5 })).jobs).toEqual([]);
      expect(await q.getEntityJobs('nobody')).toEqual({ total: 0, jobs: [] });
      for (const other of ['acct-', 'acct-40', 'acct-4 ', 'acct-3', 'acct-5']) {
        const one = await q.getEntityJobs(other);
        expect(one.jobs.map((j) => j.data)).toEqual([other]);
      }
      // One member per indexed job, nothing for the plain one.
      expect(await members('ent')).toHaveLength(10);
      expect(waitsId).toMatch(/^\d+$/);
      hold.resolve();
    });

    it('keeps enqueue order for many jobs added in one call (fixed-width sequence)', async () => {
      const q = h().queue<number>('ent');
      await q.addBulk(Array.from({ length: 40 }, (_, i) => ({ data: i, opts: { entity: 'e' } })));
      await q.addBulk(
        Array.from({ length: 40 }, (_, i) => ({
          data: 40 + i,
          opts: { entity: 'e', id: `z${i}` },
        })),
      );
      const all = await q.getEntityJobs('e', { limit: 1000 });
      expect(all.jobs.map((j) => j.data)).toEqual(Array.from({ length: 80 }, (_, i) => 79 - i));
      const deep = await q.getEntityJobs('e', { offset: 75, limit: 10 });
      expect(deep.jobs.map((j) => j.data)).toEqual([4, 3, 2, 1, 0]);
    });

    it('loses the member of a job that retention, remove or clear deletes', async () => {
      const q = h().queue<string>('ent');
      const done: string[] = [];
      const w = h().worker<string>(
        'ent',
        (job) => {
          done.push(job.id);
          if (job.data === 'bad') throw new Error('no');
        },
        { keepCompleted: { count: 2 }, keepFailed: { count: 1 }, retry: { maxAttempts: 1 } },
      );
      for (let i = 0; i < 5; i++) await q.add('x', 'ok', { entity: 'a', id: `ok${i}` });
      for (let i = 0; i < 3; i++) await q.add('x', 'bad', { entity: 'a', id: `bad${i}` });
      await waitFor(() => done.length === 8, 'all ran');
      await waitFor(async () => (await q.stats()).failed === 1, 'failed trimmed');
      await w.close();
      const left = await q.getEntityJobs('a');
      expect(left.total).toBe(3);
      expect(left.jobs.map((j) => j.state).sort()).toEqual(['completed', 'completed', 'failed']);
      expect(await members('ent')).toHaveLength(3);

      // remove (waiting, delayed, finished) and clear
      await q.add('x', 'w', { entity: 'b', id: 'w1' });
      await q.add('x', 'w', { entity: 'b', id: 'w2' });
      await q.add('x', 'd', { entity: 'b', id: 'd1', delay: 60_000 });
      await q.add('x', 'p', { entity: 'b', id: 'p1', priority: 'low' });
      expect(await q.remove('w1')).toBe(true);
      expect(left.jobs[0]).toMatchObject({ id: 'bad2', state: 'failed' }); // newest
      expect(await q.remove('bad2')).toBe(true);
      expect((await q.getEntityJobs('b')).jobs.map((j) => j.id)).toEqual(['p1', 'd1', 'w2']);
      expect(await q.clear({ includeFailed: true, keepDelayed: false })).toBe(3);
      expect((await q.getEntityJobs('b')).total).toBe(0);
      expect(await members('ent')).toHaveLength(2); // the two completed jobs kept
      // A removed id added again is indexed once, under its new entity.
      await q.add('x', 'again', { entity: 'c', id: 'w1' });
      expect((await q.getEntityJobs('c')).jobs.map((j) => j.data)).toEqual(['again']);
      expect(await members('ent')).toHaveLength(3);
    });

    it('loses the members of jobs deleted on completion and by the retention janitor', async () => {
      const q = h().queue<string>('ent');
      let n = 0;
      const w = h().worker<string>('ent', () => void n++, { keepCompleted: false });
      await q.addBulk(Array.from({ length: 20 }, () => ({ data: 'x', opts: { entity: 'z' } })));
      await waitFor(() => n === 20, 'all done');
      await w.close();
      expect(await members('ent')).toEqual([]);

      // Age-based: finished jobs past their age go from the index with the janitor's trim.
      let m = 0;
      const w2 = h().worker<string>('ent', () => void m++, {
        keepCompleted: { count: 100, ageMs: 1 },
        retentionCheckMs: 20,
      });
      await q.addBulk(Array.from({ length: 5 }, () => ({ data: 'y', opts: { entity: 'z' } })));
      await waitFor(async () => m === 5 && (await members('ent')).length === 0, 'aged out');
      await w2.close();
      expect((await q.getEntityJobs('z')).total).toBe(0);
    });

    it('validates the entity', async () => {
      const q = h().queue('ent');
      for (const bad of ['', 'a|b', 'x'.repeat(257), 7 as unknown as string]) {
        expect((await caught(() => q.add('x', 1, { entity: bad }))).code).toBe(
          'SLC_ERR_INVALID_OPTIONS',
        );
        expect((await caught(() => q.getEntityJobs(bad))).code).toBe('SLC_ERR_INVALID_OPTIONS');
      }
      expect((await caught(() => q.getEntityJobs('a', { limit: 0 }))).code).toBe(
        'SLC_ERR_INVALID_OPTIONS',
      );
    });
  });
}
