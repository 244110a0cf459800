/**
 * Stall recovery: a job whose worker died or hung (its lease expired) returns to waiting, counted
 * as a stall on the job; after `maxStalls` stalls the attempt fails with that reason and the retry
 * policy decides what follows, until the job is dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import type { Job, Worker } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { deferred, useHarness } from './helpers.js';
import { WorkerProcess } from './worker-process.js';

const h = useHarness();

describe('stall recovery', () => {
  it('a worker process killed mid-job: the job is recovered, counted, and completed once elsewhere', async () => {
    const q = h().queue('st');
    const a = await WorkerProcess.start({
      url: redisUrl(),
      prefix: h().prefix,
      queue: 'st',
      label: 'A',
      mode: 'hold',
      options: { leaseMs: 300 },
    });
    await q.add('x', 'work', { id: 'k' });
    await a.next((m) => m.ev === 'active', 'job taken');
    a.kill('SIGKILL');
    await a.exited;
    let s = await h().state('st');
    expect(Object.keys(s.active)).toEqual(['k']);
    expect(Object.keys(s.lease)).toEqual(['k']);

    const seen: Job[] = [];
    const b = h().worker('st', async (job) => void seen.push(job), { stallCheckMs: 25 });
    const stalled: string[] = [];
    b.on('stalled', (id) => stalled.push(id));
    await waitFor(async () => (await q.stats()).completed === 1, 'completion by B');
    expect(stalled).toEqual(['k']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: 'k', stalls: 1, totalStalls: 1, attemptsMade: 0 });
    s = await h().state('st');
    expect(Object.keys(s.completed)).toEqual(['k']);
    expect(s.info.k).toEqual({ stalls: 1, totalStalls: 1 });
    expect(s.meta.completed).toBe('1');
    expect(s.active).toEqual({});
    expect(s.lease).toEqual({});
  });

  it('after maxStalls the attempt fails with the stall reason; the retry policy applies first', async () => {
    const q = h().queue('st');
    // The recovering worker is kept busy by a job of its own, so it only reaps.
    const blocker = deferred();
    const b = h().worker(
      'st',
      async (job) => {
        if (job.id === 'blocker') await blocker.promise;
      },
      {
        stallCheckMs: 20,
        maxStalls: 1,
        retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } },
      },
    );
    const ev = track(b);
    await q.add('x', null, { id: 'blocker' });
    await waitFor(async () => (await q.stats()).active === 1, 'the worker is busy');
    await q.add('x', null, { id: 'j' });
    const dead = h().commands('st');
    /** A worker takes `j` under a 100 ms lease and dies. */
    const takeAndDie = async (n: number) => {
      const r = await dead.fetch(1, 100, `dead:${n}`);
      expect(r.jobs.map((x) => x.id)).toEqual(['j']);
    };

    // Stall 1 (≤ maxStalls): back to the front of waiting, no attempt counted.
    await takeAndDie(1);
    await waitFor(() => ev.stalled.length === 1, 'first stall');
    let s = await h().state('st');
    expect(s.waiting).toEqual(['j']);
    expect(s.info.j).toEqual({ stalls: 1, totalStalls: 1 });

    // Stall 2 (> maxStalls): attempt 1 fails with the stall reason; retried after the back-off.
    await takeAndDie(2);
    await waitFor(() => ev.retrying.length === 1, 'attempt 1 failed');
    expect(ev.stalled).toEqual(['j']); // the second expiry is a failed attempt, not a requeue
    s = await h().state('st');
    expect(Object.keys(s.delayed)).toEqual(['j']);
    const info = s.info.j!;
    expect(info).toMatchObject({ attempts: 1, stalls: 0, totalStalls: 2 });
    expect(info.history).toHaveLength(1);
    expect(info.history![0]).toMatchObject({ stalled: true });
    expect(info.history![0]!.error).toMatch(/stalled 2 times/);
    expect(s.delayed.j! - info.history![0]!.at).toBe(60_000);
    expect(ev.retrying[0]).toEqual(['j', 60_000]);
    expect(Object.keys(s.active)).toEqual(['blocker']);

    // Attempt 2: two more stalls, and the job is dead-lettered with the stall reason.
    await q.promote('j');
    await takeAndDie(3);
    await waitFor(() => ev.stalled.length === 2, 'third stall');
    await takeAndDie(4);
    await waitFor(() => ev.failed.length === 1, 'dead letter');
    s = await h().state('st');
    expect(Object.keys(s.failed)).toEqual(['j']);
    expect(s.info.j).toMatchObject({ attempts: 2, stalls: 0, totalStalls: 4 });
    expect(s.info.j!.failedReason).toMatch(/stalled 2 times/);
    expect(s.info.j!.history!.map((e) => e.stalled)).toEqual([true, true]);
    const job = (await q.getJob('j'))!;
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 2, totalStalls: 4 });
    expect(s.meta.failed).toBe('1');
    blocker.resolve();
  });

  it('maxStalls 0: the first expired lease fails the attempt', async () => {
    const q = h().queue('st');
    const b = h().worker('st', async () => {}, {
      autorun: false,
      stallCheckMs: 20,
      maxStalls: 0,
      retry: { maxAttempts: 1 },
    });
    const ev = track(b);
    await q.add('x', null, { id: 'z' });
    await h().commands('st').fetch(1, 100, 'dead:1');
    b.run();
    await waitFor(() => ev.failed.length === 1, 'dead letter');
    expect(ev.stalled).toEqual([]);
    expect(await q.getJob('z')).toMatchObject({ state: 'failed', attemptsMade: 1, totalStalls: 1 });
  });

  it('several workers reaping at once recover a job once, counting one stall', async () => {
    const q = h().queue('st');
    await q.add('x', null, { id: 'once' });
    await h().commands('st').fetch(1, 150, 'dead:1');
    const stalled: string[] = [];
    const ran: string[] = [];
    for (let i = 0; i < 4; i++) {
      const w = h().worker('st', async (job) => void ran.push(job.id), { stallCheckMs: 10 });
      w.on('stalled', (id) => stalled.push(id));
    }
    await waitFor(async () => (await q.stats()).completed === 1, 'completion');
    expect(stalled).toEqual(['once']);
    expect(ran).toEqual(['once']);
    expect((await h().state('st')).info.once).toEqual({ stalls: 1, totalStalls: 1 });
  });

  it('a live worker keeps its lease: a long job with a short lease is never reaped', async () => {
    const q = h().queue('st');
    const stalled: string[] = [];
    const started = deferred();
    const w = h().worker(
      'st',
      async () => {
        started.resolve();
        await new Promise((r) => setTimeout(r, 1200));
        return 'ok';
      },
      { leaseMs: 300, stallCheckMs: 20 },
    );
    w.on('stalled', (id) => stalled.push(id));
    await q.add('x', null, { id: 'long' });
    await started.promise;
    // A second worker, reaping every 20 ms while the job runs 4 leases long.
    const other = h().worker('st', async () => {}, { stallCheckMs: 20 });
    other.on('stalled', (id) => stalled.push(id));
    await waitFor(async () => (await q.stats()).completed === 1, 'completion');
    expect(stalled).toEqual([]);
    expect((await h().state('st')).info).toEqual({});
  });
});

function track<D, R>(w: Worker<D, R>) {
  const ev = {
    stalled: [] as string[],
    retrying: [] as [string, number][],
    failed: [] as string[],
  };
  w.on('stalled', (id) => ev.stalled.push(id));
  w.on('retrying', (job, _e, d) => ev.retrying.push([job.id, d]));
  w.on('failed', (job) => ev.failed.push(job.id));
  return ev;
}
