/**
 * Pause and resume act on every worker at once: two real worker processes (see
 * `fixtures/worker-process.ts`) take nothing while the queue is paused, let their running jobs
 * finish, and both take jobs again after resume — woken by Redis, not by polling (their
 * safety-net timeout is 10 minutes).
 */
import { describe, expect, it } from 'vitest';
import { redisUrl, waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';
import { WorkerProcess } from './worker-process.js';

const h = useHarness();

async function twoWorkers(workMs: number): Promise<WorkerProcess[]> {
  return Promise.all(
    ['A', 'B'].map((label) =>
      WorkerProcess.start({
        url: redisUrl(),
        prefix: h().prefix,
        queue: 'pz',
        label,
        mode: 'quick',
        workMs,
        options: { idleWakeMs: 600_000 },
      }),
    ),
  );
}

describe('pause / resume across worker processes', () => {
  it('a paused queue hands out nothing to any process; running jobs finish; resume wakes both', async () => {
    const q = h().queue<number>('pz');
    const procs = await twoWorkers(150);
    const [a, b] = procs as [WorkerProcess, WorkerProcess];

    // Both are busy with one job each when the pause comes.
    await q.addBulk([0, 1, 2, 3, 4, 5].map((i) => ({ data: i, opts: { id: `pre${i}` } })));
    await waitFor(() => a.started.length > 0 && b.started.length > 0, 'both processes busy');
    await q.pause();
    const activeAtPause = Object.keys((await h().state('pz')).active);
    expect(activeAtPause.length).toBeGreaterThan(0);

    // Running jobs finish (they are not released); then nothing more is taken, even as new jobs
    // arrive.
    await waitFor(async () => (await q.stats()).active === 0, 'in-flight jobs finished');
    await q.addBulk([0, 1, 2, 3].map((i) => ({ data: i, opts: { id: `post${i}` } })));
    const startedAtPause = a.started.length + b.started.length;
    await sleep(500);
    expect(a.started.length + b.started.length).toBe(startedAtPause);
    const s = await h().state('pz');
    expect(s.active).toEqual({});
    expect(s.lease).toEqual({});
    expect(s.meta.paused).toBe('1');
    for (const id of activeAtPause) expect(s.completed[id]).toBeDefined();
    expect(Object.keys(s.completed)).toHaveLength(startedAtPause);
    expect(s.waiting).toHaveLength(10 - startedAtPause);
    expect(s.waiting.slice(-4)).toEqual(['post0', 'post1', 'post2', 'post3']);

    // Resume: both processes take jobs again, and everything completes exactly once.
    const [aBefore, bBefore] = [a.started.length, b.started.length];
    await q.resume();
    await waitFor(async () => (await q.stats()).completed === 10, 'all 10 jobs done', 15_000);
    expect(a.started.length).toBeGreaterThan(aBefore);
    expect(b.started.length).toBeGreaterThan(bBefore);
    const all = [...a.started, ...b.started].sort();
    expect(all).toEqual([...new Set(all)]);
    expect(all).toHaveLength(10);
    const done = await h().state('pz');
    expect(done.meta.paused).toBeUndefined();
    // Results show both processes completed jobs.
    const by = new Set(
      Object.values(done.results).map((r) => (JSON.parse(r) as { by: string }).by),
    );
    expect(by).toEqual(new Set(['A', 'B']));

    await Promise.all(procs.map((p) => p.close()));
  });

  it('pausing idle processes: added jobs wait; resume wakes the blocked processes', async () => {
    const q = h().queue<number>('pz');
    const procs = await twoWorkers(100);
    await sleep(100); // both idle, blocked on Redis
    await q.pause();
    await q.addBulk([0, 1, 2, 3, 4, 5].map((i) => ({ data: i })));
    await sleep(400);
    expect(procs.flatMap((p) => p.started)).toEqual([]);
    expect((await q.stats()).waiting).toBe(6);
    await q.resume();
    await waitFor(async () => (await q.stats()).completed === 6, 'all 6 jobs done', 15_000);
    for (const p of procs) expect(p.started.length).toBeGreaterThan(0);
    await Promise.all(procs.map((p) => p.close()));
  });
});
