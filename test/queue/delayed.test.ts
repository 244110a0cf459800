/**
 * Delayed jobs start at or after their due time, and an idle worker wakes for them — and for new
 * jobs — without polling: every worker here has a 10-minute safety-net timeout (`idleWakeMs`), so
 * a job that ran within the test did so because the worker was woken, not because it polled.
 */
import { describe, expect, it, vi } from 'vitest';
import { QueueCommands } from '../../src/queue/commands/commands.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();
const NO_POLL = { idleWakeMs: 600_000 };

/** A worker that records, per job id, Redis's time when the handler started. */
function timedWorker(queue: string, opts: object = {}) {
  const startedAt = new Map<string, number>();
  const order: string[] = [];
  h().worker(
    queue,
    async (job) => {
      startedAt.set(job.id, await h().now());
      order.push(job.id);
    },
    { ...NO_POLL, ...opts },
  );
  return { startedAt, order };
}

describe('delayed jobs', () => {
  it('each starts at or after its due time, in due order', async () => {
    const q = h().queue('delay');
    const { startedAt, order } = timedWorker('delay', { concurrency: 3 });
    await sleep(50); // the worker is now blocked, idle
    for (const [id, delay] of [
      ['c', 450],
      ['a', 150],
      ['b', 300],
    ] as const)
      await q.add('x', null, { id, delay });
    const due = (await h().state('delay')).delayed;
    expect(Object.keys(due).sort()).toEqual(['a', 'b', 'c']);
    await waitFor(() => order.length === 3, 'three delayed jobs');
    expect(order).toEqual(['a', 'b', 'c']);
    for (const id of order) expect(startedAt.get(id)).toBeGreaterThanOrEqual(due[id]!);
  });

  it('an idle worker armed for a later job re-arms for an earlier one added after', async () => {
    const q = h().queue('delay');
    await q.add('x', null, { id: 'hour', delay: 3_600_000 });
    const { startedAt, order } = timedWorker('delay');
    await sleep(50);
    await q.add('x', null, { id: 'soon', delay: 250 });
    const due = (await h().state('delay')).delayed.soon!;
    await waitFor(() => order.length === 1, 'the earlier job');
    expect(order).toEqual(['soon']);
    expect(startedAt.get('soon')).toBeGreaterThanOrEqual(due);
    expect(Object.keys((await h().state('delay')).delayed)).toEqual(['hour']);
  });

  it('a job retried with back-off wakes the worker at its due time', async () => {
    const q = h().queue('delay');
    let runs = 0;
    const starts: number[] = [];
    h().worker(
      'delay',
      async () => {
        starts.push(await h().now());
        if (++runs === 1) throw new Error('again');
      },
      { ...NO_POLL, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 300 } } },
    );
    await q.add('x', null, { id: 'r' });
    await waitFor(() => runs === 2, 'the retry');
    const job = (await q.getJob('r'))!;
    expect(starts[1]).toBeGreaterThanOrEqual(job.history[0]!.at + 300);
  });

  it('runAt schedules at that time; a past runAt runs now', async () => {
    const q = h().queue('delay');
    const runAt = new Date(Date.now() + 300);
    await q.add('x', null, { id: 'at', runAt });
    await q.add('x', null, { id: 'past', runAt: Date.now() - 10_000 });
    const s = await h().state('delay');
    expect(s.waiting).toEqual(['past']);
    // runAt is on the producer's clock (here the same machine as Redis's): the due time is runAt
    // give or take the latency of the add.
    expect(Math.abs(s.delayed.at! - runAt.getTime())).toBeLessThan(1000);
    const { startedAt, order } = timedWorker('delay');
    await waitFor(() => order.length === 2, 'both jobs');
    expect(order).toEqual(['past', 'at']);
    expect(startedAt.get('at')).toBeGreaterThanOrEqual(s.delayed.at!);
  });

  it('a new job wakes an idle worker', async () => {
    const q = h().queue('delay');
    const { order } = timedWorker('delay');
    await sleep(100); // blocked on Redis, nothing to do
    await q.add('x', null, { id: 'one' });
    await waitFor(() => order.length === 1, 'the job');
    await sleep(50);
    await q.add('x', null, { id: 'two' });
    await waitFor(() => order.length === 2, 'the second job');
    expect(order).toEqual(['one', 'two']);
  });

  it('a promoted job wakes an idle worker', async () => {
    const q = h().queue('delay');
    await q.add('x', null, { id: 'p', delay: 3_600_000 });
    const { order } = timedWorker('delay');
    await sleep(50);
    await q.promote('p');
    await waitFor(() => order.length === 1, 'the promoted job');
  });

  it('several idle workers: each delayed job runs once', async () => {
    const q = h().queue('delay');
    const workers = [timedWorker('delay'), timedWorker('delay'), timedWorker('delay')];
    await sleep(50);
    await q.addBulk(
      Array.from({ length: 12 }, (_, i) => ({ data: i, opts: { delay: 100 + i * 20 } })),
    );
    await waitFor(async () => (await q.stats()).completed === 12, '12 completions');
    const all = workers.flatMap((w) => w.order);
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
  });

  it('a job delayed a year leaves an idle worker idle (no fetch loop past the timer range)', async () => {
    const fetch = vi.spyOn(QueueCommands.prototype, 'fetch');
    try {
      const q = h().queue('far');
      await q.add('x', null, { id: 'far', delay: 365 * 24 * 3_600_000 });
      const { order } = timedWorker('far');
      await sleep(1500);
      // One fetch at start (and perhaps one for a wake-up): a timer past 2^31-1 ms used to fire
      // after 1 ms, so the worker fetched and re-armed hundreds of times a second.
      expect(fetch.mock.calls.length).toBeLessThanOrEqual(3);
      expect(order).toEqual([]);
      expect(Object.keys((await h().state('far')).delayed)).toEqual(['far']);
    } finally {
      fetch.mockRestore();
    }
  });
  it("a fetch reports Redis's time with its µs, so the delay timer needs no extra ms", async () => {
    const cmds = h().commands('delay-us');
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await cmds.fetch(1, 1000, `t${i}`));
    for (const r of replies) {
      expect(Number.isInteger(r.now)).toBe(true);
      expect(r.nowExact).toBeGreaterThanOrEqual(r.now);
      expect(r.nowExact).toBeLessThan(r.now + 1);
    }
    expect(replies.some((r) => r.nowExact !== r.now)).toBe(true);
  });
});
