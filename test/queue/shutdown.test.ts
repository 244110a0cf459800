/**
 * Graceful shutdown: `close(timeoutMs)` stops fetching, waits for in-flight jobs, and releases
 * the ones still running at the timeout back to waiting — not counted as attempts or stalls.
 */
import { describe, expect, it } from 'vitest';
import { SluiceError, type Job } from '../../src/index.js';
import { waitFor } from '../harness/context.js';
import { deferred, sleep, useHarness } from './helpers.js';

const h = useHarness();

describe('close', () => {
  it('waits for in-flight jobs to finish and records them', async () => {
    const q = h().queue('sd');
    const started = deferred();
    const finish = deferred();
    let aborted = false;
    const w = h().worker(
      'sd',
      async (_job, { signal }) => {
        started.resolve();
        await finish.promise;
        aborted = signal.aborted;
        return 'done';
      },
      { concurrency: 2 },
    );
    await q.add('x', null, { id: 'a' });
    await started.promise;
    let closed = false;
    const closing = w.close(10_000).then(() => (closed = true));
    await sleep(100);
    expect(closed).toBe(false);
    expect(Object.keys((await h().state('sd')).active)).toEqual(['a']);
    finish.resolve();
    await closing;
    expect(aborted).toBe(false);
    const s = await h().state('sd');
    expect(Object.keys(s.completed)).toEqual(['a']);
    expect(s.results).toEqual({ a: '"done"' });
    expect(s.active).toEqual({});
    expect(s.lease).toEqual({});
  });

  it('close(Infinity) waits as long as it takes; a timeout that is no number is refused', async () => {
    const q = h().queue('sdinf');
    const started = deferred();
    let aborted = false;
    const w = h().worker('sdinf', async (_job, { signal }) => {
      started.resolve();
      await sleep(300); // Node fires a timer past 2^31 - 1 ms after 1 ms: this would be cut short
      aborted = signal.aborted;
      return 'done';
    });
    await q.add('x', null, { id: 'long' });
    await started.promise;
    for (const bad of [NaN, -5, '10' as unknown as number])
      await expect(w.close(bad)).rejects.toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
    await w.close(Infinity);
    expect(aborted).toBe(false);
    expect(Object.keys((await h().state('sdinf')).completed)).toEqual(['long']);
  });

  it('stops fetching at once: jobs added while closing stay waiting', async () => {
    const q = h().queue('sd');
    const started = deferred();
    const finish = deferred();
    const ran: string[] = [];
    const w = h().worker(
      'sd',
      async (job) => {
        ran.push(job.id);
        started.resolve();
        await finish.promise;
      },
      { concurrency: 5 },
    );
    await q.add('x', null, { id: 'first' });
    await started.promise;
    const closing = w.close(10_000);
    await q.add('x', null, { id: 'late1' });
    await q.add('x', null, { id: 'late2' });
    await sleep(100);
    finish.resolve();
    await closing;
    expect(ran).toEqual(['first']);
    const s = await h().state('sd');
    expect(s.waiting).toEqual(['late1', 'late2']);
    expect(Object.keys(s.completed)).toEqual(['first']);
  });

  it('after the timeout, releases unfinished jobs to the front of waiting, uncounted', async () => {
    const q = h().queue('sd');
    const inHandler = deferred();
    const signals: AbortSignal[] = [];
    const never = deferred<string>();
    const w = h().worker(
      'sd',
      async (_job, { signal }) => {
        signals.push(signal);
        if (signals.length === 2) inHandler.resolve();
        return never.promise; // a handler that does not finish in time
      },
      { concurrency: 2, leaseMs: 10_000 },
    );
    const failures: unknown[] = [];
    w.on('failed', (j) => failures.push(j));
    w.on('retrying', (j) => failures.push(j));
    await q.add('x', null, { id: 'a' });
    await q.add('x', null, { id: 'b' });
    await q.add('x', null, { id: 'queued' });
    await inHandler.promise;

    await w.close(150);
    for (const s of signals) {
      expect(s.aborted).toBe(true);
      expect((s.reason as SluiceError).code).toBe('SLC_ERR_CLOSED');
    }
    let s = await h().state('sd');
    expect(s.active).toEqual({});
    expect(s.lease).toEqual({});
    // Released jobs go next in line, before the job that never started.
    expect(s.waiting.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(s.waiting[2]).toBe('queued');
    expect(s.info).toEqual({}); // no attempt, no stall recorded
    expect(failures).toEqual([]);

    // The released handlers finishing late record nothing.
    never.resolve('too late');
    await sleep(50);
    s = await h().state('sd');
    expect(s.completed).toEqual({});
    expect(s.meta.completed).toBeUndefined();

    // Another worker runs them as fresh attempts.
    const seen: Job[] = [];
    h().worker('sd', async (job) => void seen.push(job), { concurrency: 3 });
    await waitFor(async () => (await q.stats()).completed === 3, 'three completions');
    for (const job of seen)
      expect(job).toMatchObject({ attemptsMade: 0, stalls: 0, totalStalls: 0 });
    s = await h().state('sd');
    expect(s.meta.completed).toBe('3');
  });

  it('close(0) with nothing running resolves at once, and twice is the same close', async () => {
    const w = h().worker('sd', async () => {});
    const a = w.close(0);
    const b = w.close(0);
    expect(a).toBe(b);
    await a;
    expect(w.running).toBe(0);
  });

  it('a worker that never ran closes cleanly and took nothing', async () => {
    const q = h().queue('sd');
    await q.add('x', null, { id: 'w' });
    const w = h().worker('sd', async () => {}, { autorun: false });
    await w.close();
    expect((await h().state('sd')).waiting).toEqual(['w']);
  });
});
