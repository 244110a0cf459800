/**
 * A worker of very high concurrency (I/O-bound handlers: webhooks, crawls): its script calls
 * stay within what one Lua call can take (`unpack` of at most ~8,000 values), so fetching,
 * acking and renewing tens of thousands of jobs in hand works like a small worker's.
 */
import { expect, it } from 'vitest';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

it('runs 24,000 jobs at once at concurrency 25,000, renews their leases, and records each once', async () => {
  const q = h().queue('huge');
  const n = 24_000;
  for (let i = 0; i < n; i += 1000)
    await q.addBulk(Array.from({ length: 1000 }, (_, j) => ({ data: i + j })));
  let running = 0;
  let most = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const errors: unknown[] = [];
  const w = h().worker(
    'huge',
    async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
    },
    { concurrency: 25_000, leaseMs: 3000, heartbeatMs: 300, keepCompleted: { count: n } },
  );
  w.on('error', (e) => errors.push(e));
  await waitFor(() => running === n, 'every job running at once', 30_000);
  // held past their first lease: only the heartbeat keeps them
  await sleep(3500);
  expect((await q.stats()).active).toBe(n);
  release();
  await waitFor(async () => (await q.stats()).completed === n, 'all completed', 30_000);
  expect(most).toBe(n);
  expect(errors).toEqual([]);
  // one recorded completion each: the total counts every applied one
  expect((await q.stats()).totals).toEqual({ completed: n, failed: 0 });
  const s = await h().state('huge');
  expect(Object.keys(s.completed)).toHaveLength(n);
  expect(s.lease).toEqual({});
}, 90_000);

it('a batch worker records every ack of two full batches of 1,000 that end together, then waits', async () => {
  const q = h().queue('hugebatch');
  const n = 2000;
  for (let i = 0; i < n; i += 1000)
    await q.addBulk(Array.from({ length: 1000 }, (_, j) => ({ data: i + j })));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started = 0;
  h().batchWorker(
    'hugebatch',
    async (jobs) => {
      started += jobs.length;
      await gate;
    },
    // its wait would end only after a minute: the acks must not wait for it
    { batch: { size: 1000 }, concurrency: 2, idleWakeMs: 60_000 },
  );
  await waitFor(() => started === n, 'both batches running');
  // the queue's pending wake-up taken (as by another idle worker): the wait blocks
  await h().redis.del(h().keys('hugebatch').marker);
  release();
  await waitFor(async () => (await q.stats()).totals.completed === n, 'all acked', 5000);
});
