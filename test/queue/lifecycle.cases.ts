/**
 * The job lifecycle, as cases that run on any Redis: `lifecycle.test.ts` runs them on the shared
 * single server, `cluster.test.ts` on the 3-master Cluster fixture. Each case states the contents
 * of the queue's keys after each transition.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';

export function lifecycleCases(connection: () => ConnectionOptions): void {
  const h = useHarness(connection);

  describe('lifecycle', () => {
    it('add: the job is stored and waiting, and nothing else exists', async () => {
      const q = h().queue<{ to: string }>('life');
      const before = await h().now();
      const added = await q.add(
        'welcome',
        { to: 'ada' },
        { meta: { userId: 'u1', correlationId: 'c-9' } },
      );
      expect(added).toEqual({ id: '1', created: true });

      const s = await h().state('life');
      expect(s.waiting).toEqual(['1']);
      expect(s.prio).toEqual([]);
      expect(s.delayed).toEqual({});
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(s.completed).toEqual({});
      expect(s.failed).toEqual({});
      expect(s.jobs).toEqual(['1']);
      expect(s.info).toEqual({});
      expect(s.meta).toMatchObject({ v: '2', id: '1' });

      const job = await q.getJob('1');
      expect(job).toMatchObject({
        id: '1',
        queueName: 'life',
        name: 'welcome',
        data: { to: 'ada' },
        priority: 0,
        state: 'waiting',
        attemptsMade: 0,
        stalls: 0,
        history: [],
      });
      expect(job!.meta).toEqual({ userId: 'u1', correlationId: 'c-9' });
      expect(job!.createdAt).toBeGreaterThanOrEqual(before);
      expect(await q.getJob('2')).toBeUndefined();
    });

    it('waiting → active → completed: lease while running, result and totals after', async () => {
      const q = h().queue<{ n: number }, { doubled: number }>('life');
      const running = deferred<Job<{ n: number }, { doubled: number }>>();
      const release = deferred();
      const w = h().worker<{ n: number }, { doubled: number }>(
        'life',
        async (job) => {
          running.resolve(job);
          await release.promise;
          return { doubled: job.data.n * 2 };
        },
        { leaseMs: 10_000 },
      );
      const completed = deferred<[string, unknown]>();
      w.on('completed', (job, result) => completed.resolve([job.id, result]));
      await q.add('double', { n: 21 }, { id: 'job-a' });

      const job = await running.promise;
      expect(job).toMatchObject({ id: 'job-a', state: 'active', data: { n: 21 } });
      const now = await h().now();
      let s = await h().state('life');
      expect(s.waiting).toEqual([]);
      expect(Object.keys(s.active)).toEqual(['job-a']);
      // The lease deadline is about leaseMs ahead on Redis's clock.
      expect(s.active['job-a']).toBeGreaterThan(now + 5_000);
      expect(s.active['job-a']).toBeLessThanOrEqual(now + 10_000);
      expect(Object.keys(s.lease)).toEqual(['job-a']);
      expect((await q.getJob('job-a'))!.state).toBe('active');

      release.resolve();
      expect(await completed.promise).toEqual(['job-a', { doubled: 42 }]);
      s = await h().state('life');
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(Object.keys(s.completed)).toEqual(['job-a']);
      expect(s.completed['job-a']).toBeGreaterThanOrEqual(now);
      expect(s.results).toEqual({ 'job-a': '{"doubled":42}' });
      expect(s.meta.completed).toBe('1');
      expect(s.meta.failed).toBeUndefined();

      const done = await q.getJob('job-a');
      expect(done).toMatchObject({ state: 'completed', returnValue: { doubled: 42 } });
      expect(done!.timestamp).toBe(s.completed['job-a']);
      const stats = await q.stats();
      expect(stats).toMatchObject({ waiting: 0, active: 0, completed: 1, failed: 0 });
      expect(stats.totals).toEqual({ completed: 1, failed: 0 });
    });

    it('active → delayed → waiting → completed: a failed attempt is retried after its back-off', async () => {
      const q = h().queue('life');
      let calls = 0;
      const failedOnce = deferred();
      const w = h().worker(
        'life',
        async () => {
          calls++;
          if (calls === 1) throw new Error('first try fails');
          return 'ok';
        },
        { retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 60_000 } } },
      );
      w.on('retrying', () => failedOnce.resolve());
      const completed = deferred();
      w.on('completed', () => completed.resolve());
      await q.add('x', null, { id: 'r1' });
      await failedOnce.promise;

      let s = await h().state('life');
      expect(s.waiting).toEqual([]);
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(Object.keys(s.delayed)).toEqual(['r1']);
      expect(s.info.r1).toMatchObject({ attempts: 1, stalls: 0 });
      expect(s.info.r1!.history).toHaveLength(1);
      expect(s.info.r1!.history![0]!.error).toBe('first try fails');
      // Scheduled exactly the fixed delay after the failure (both on Redis's clock).
      expect(s.delayed.r1! - s.info.r1!.history![0]!.at).toBe(60_000);
      expect((await q.getJob('r1'))!.state).toBe('delayed');

      await q.promote('r1');
      await completed.promise;
      s = await h().state('life');
      expect(s.delayed).toEqual({});
      expect(Object.keys(s.completed)).toEqual(['r1']);
      expect(calls).toBe(2);
      const job = await q.getJob('r1');
      // attemptsMade counts the completed attempt too (BullMQ's meaning)
      expect(job).toMatchObject({ state: 'completed', attemptsMade: 2, returnValue: 'ok' });
    });

    it('active → failed: an exhausted job is dead-lettered with its reason and history', async () => {
      const q = h().queue('life');
      const w = h().worker(
        'life',
        async () => {
          throw new Error('always broken');
        },
        { retry: { maxAttempts: 1 } },
      );
      const failed = deferred<[string, unknown]>();
      w.on('failed', (job, err) => failed.resolve([job.id, err]));
      await q.add('x', { k: 1 }, { id: 'f1' });
      const [id, err] = await failed.promise;
      expect(id).toBe('f1');
      expect((err as Error).message).toBe('always broken');

      const s = await h().state('life');
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(s.waiting).toEqual([]);
      expect(s.delayed).toEqual({});
      expect(Object.keys(s.failed)).toEqual(['f1']);
      expect(s.info.f1).toMatchObject({ attempts: 1, failedReason: 'always broken' });
      expect(s.info.f1!.history![0]).toMatchObject({ error: 'always broken' });
      expect(s.info.f1!.history![0]!.stack).toContain('always broken');
      expect(s.info.f1!.history![0]!.at).toBe(s.failed.f1);
      expect(s.meta.failed).toBe('1');
      expect(s.meta.completed).toBeUndefined();
      expect(await q.getJob('f1')).toMatchObject({
        state: 'failed',
        failedReason: 'always broken',
        attemptsMade: 1,
      });
    });

    it('delayed → waiting: a delayed job is scheduled at add time + delay and runs after it', async () => {
      const q = h().queue('life');
      const { id } = await q.add('later', 'payload', { delay: 400 });
      let s = await h().state('life');
      expect(s.waiting).toEqual([]);
      const created = (await q.getJob(id))!.createdAt;
      expect(s.delayed).toEqual({ [id]: created + 400 });
      expect((await q.getJob(id))!).toMatchObject({ state: 'delayed', timestamp: created + 400 });

      const startedAt = deferred<number>();
      h().worker('life', async () => startedAt.resolve(await h().now()));
      expect(await startedAt.promise).toBeGreaterThanOrEqual(created + 400);
      await waitFor(async () => (await q.stats()).completed === 1, 'completion');
      s = await h().state('life');
      expect(s.delayed).toEqual({});
      expect(Object.keys(s.completed)).toEqual([id]);
    });

    it('many jobs, several workers: each completes exactly once', async () => {
      const q = h().queue<number>('life');
      const seen = new Map<number, number>();
      const handler = async (job: Job<number>) => {
        seen.set(job.data, (seen.get(job.data) ?? 0) + 1);
      };
      for (let i = 0; i < 3; i++) h().worker('life', handler, { concurrency: 4 });
      await q.addBulk(Array.from({ length: 150 }, (_, i) => ({ data: i })));
      await waitFor(async () => (await q.stats()).completed === 150, '150 completions');
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...Array(150).keys()]);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const s = await h().state('life');
      expect(Object.keys(s.completed)).toHaveLength(150);
      expect(s.meta.completed).toBe('150');
      expect(s.active).toEqual({});
      expect(s.lease).toEqual({});
      expect(s.waiting).toEqual([]);
    });

    it('idempotent add: the same id returns the existing job and adds nothing', async () => {
      const q = h().queue<{ v: number }>('life');
      expect(await q.add('x', { v: 1 }, { id: 'order-7' })).toEqual({
        id: 'order-7',
        created: true,
      });
      expect(await q.add('x', { v: 2 }, { id: 'order-7', delay: 5000 })).toEqual({
        id: 'order-7',
        created: false,
      });
      let s = await h().state('life');
      expect(s.waiting).toEqual(['order-7']);
      expect(s.delayed).toEqual({});
      expect((await q.getJob('order-7'))!.data).toEqual({ v: 1 });

      // In bulk: an existing id and a repeat within the batch are each added at most once.
      expect(
        await q.addBulk([
          { data: { v: 3 }, opts: { id: 'order-7' } },
          { data: { v: 4 }, opts: { id: 'order-8' } },
          { data: { v: 5 }, opts: { id: 'order-8' } },
          { data: { v: 6 } },
        ]),
      ).toEqual([
        { id: 'order-7', created: false },
        { id: 'order-8', created: true },
        { id: 'order-8', created: false },
        { id: '1', created: true },
      ]);
      s = await h().state('life');
      expect(s.waiting).toEqual(['order-7', 'order-8', '1']);
      expect((await q.getJob('order-8'))!.data).toEqual({ v: 4 });

      // A finished job still holds its id while it is kept.
      h().worker('life', async () => {});
      await waitFor(async () => (await q.stats()).completed === 3, 'completions');
      expect(await q.add('x', { v: 9 }, { id: 'order-7' })).toEqual({
        id: 'order-7',
        created: false,
      });
      expect((await h().state('life')).waiting).toEqual([]);
    });

    it('pause: no worker takes a job; resume: they do', async () => {
      const q = h().queue('life');
      await q.pause();
      expect(await q.isPaused()).toBe(true);
      const ran: string[] = [];
      h().worker('life', async (job) => void ran.push(job.id), { idleWakeMs: 60_000 });
      await q.add('x', 1, { id: 'p1' });
      await new Promise((r) => setTimeout(r, 200));
      expect(ran).toEqual([]);
      expect((await h().state('life')).waiting).toEqual(['p1']);
      expect((await q.stats()).paused).toBe(true);
      await q.resume();
      await waitFor(() => ran.length === 1, 'the job after resume');
      expect(await q.isPaused()).toBe(false);
    });

    it('stall: a job whose worker died is recovered, counted, and completed once', async () => {
      const q = h().queue('life');
      await q.add('x', 'v', { id: 's1' });
      // A worker that took the job under a 100 ms lease and died.
      const dead = await h().commands('life').fetch(1, 100, 'dead-worker:1');
      expect(dead.jobs.map((j) => j.id)).toEqual(['s1']);
      const stalled = deferred<string>();
      const seen: Job[] = [];
      const w = h().worker('life', async (job) => void seen.push(job), { stallCheckMs: 20 });
      w.on('stalled', (id) => stalled.resolve(id));
      expect(await stalled.promise).toBe('s1');
      await waitFor(async () => (await q.stats()).completed === 1, 'completion');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ stalls: 1, totalStalls: 1, attemptsMade: 0 });
      const s = await h().state('life');
      expect(Object.keys(s.completed)).toEqual(['s1']);
      expect(s.info.s1).toMatchObject({ stalls: 1, totalStalls: 1 });
      expect(s.meta.completed).toBe('1');
    });
  });
}
