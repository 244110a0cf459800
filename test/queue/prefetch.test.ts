/**
 * Bounded, adaptive prefetch (src/queue/worker/fetching/prefetch.ts): short handlers let a worker hold
 * jobs beyond `concurrency`, so one call acks and refills many; long ones are never prefetched;
 * a busy worker does not reach for new jobs; a job held too long goes back to the queue.
 * Counted on the wire and in Redis, never timed.
 */
import { expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { waitFor } from '../harness/context.js';
import { RateLimitError } from '../../src/index.js';
import { deferred, sleep, useHarness } from './helpers.js';

const h = useHarness();

/** Counts the script calls `w` sends on its command connection (a private field, read here). */
function countCalls(w: object): { calls: number } {
  const count = { calls: 0 };
  const client = (w as { client: Redis }).client;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (cmd, stream) => {
    if (cmd.name === 'evalsha') count.calls++;
    return send(cmd, stream);
  };
  return count;
}

/** Drains `n` no-op jobs at concurrency 1: script calls sent, most handlers and leases at once. */
async function drain(queue: string, n: number, prefetch?: number) {
  const q = h().queue(queue);
  await q.addBulk(Array.from({ length: n }, (_, i) => ({ data: i })));
  const active = h().keys(queue).active;
  let running = 0;
  let maxRunning = 0;
  let maxLeased = 0;
  let seen = 0;
  const w = h().worker(
    queue,
    async () => {
      maxRunning = Math.max(maxRunning, ++running);
      // every 25th job: how many jobs Redis counts as leased right now
      if (seen++ % 25 === 0) maxLeased = Math.max(maxLeased, await h().redis.zcard(active));
      running--;
    },
    { concurrency: 1, autorun: false, stallCheckMs: 3_600_000, schedules: false, prefetch },
  );
  const wire = countCalls(w);
  w.run();
  await waitFor(async () => (await q.stats()).totals.completed === n, 'drained', 30_000);
  return { calls: wire.calls, maxRunning, maxLeased };
}

it('short handlers at concurrency 1: one call acks and refills many jobs, one handler at a time', async () => {
  const on = await drain('short', 1000, 20);
  expect(on.maxRunning).toBe(1);
  expect(on.maxLeased).toBeGreaterThan(1); // jobs held beyond the one slot …
  expect(on.maxLeased).toBeLessThanOrEqual(21); // … at most `prefetch` of them
  expect(on.calls).toBeLessThan(200); // ~1,000 / 20
  const off = await drain('short-off', 1000, 0);
  expect(off.maxLeased).toBe(1);
  expect(off.calls).toBeGreaterThanOrEqual(1000); // one call per job
});

it('long handlers are never prefetched: two workers share the work, one job each at a time', async () => {
  const q = h().queue('long');
  await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ data: i })));
  const active = h().keys('long').active;
  const by: Record<string, number> = { a: 0, b: 0 };
  let maxLeased = 0;
  const handler = (name: string) => async () => {
    by[name]!++;
    maxLeased = Math.max(maxLeased, await h().redis.zcard(active));
    await sleep(15); // 15 ms: 2 ms of work holds no job
  };
  h().worker('long', handler('a'), { concurrency: 1 });
  h().worker('long', handler('b'), { concurrency: 1 });
  await waitFor(async () => (await q.stats()).totals.completed === 30, 'drained', 20_000);
  expect(maxLeased).toBeLessThanOrEqual(2);
  expect(by.a).toBeGreaterThan(5);
  expect(by.b).toBeGreaterThan(5);
});

it('a worker whose slots are all busy leaves a job added meanwhile in the queue', async () => {
  const q = h().queue('busy');
  const long = deferred();
  const started = deferred();
  await q.addBulk(Array.from({ length: 50 }, (_, i) => ({ data: `fast-${i}` })));
  await q.add('j', 'long');
  h().worker<string>(
    'busy',
    async (job) => {
      if (job.data !== 'long') return;
      started.resolve();
      await long.promise;
    },
    { concurrency: 1 },
  );
  await started.promise; // after 50 short jobs: the worker prefetches
  const { id } = await q.add('j', 'new');
  await sleep(200);
  // before the fix the worker's wait brought it in as a held job ('active')
  expect((await q.getJob(id))?.state).toBe('waiting');
  long.resolve();
  await waitFor(async () => (await q.getJob(id))?.state === 'completed', 'new job ran');
});

it('jobs held behind a handler that turned slow go back to the queue for other workers', async () => {
  const q = h().queue('slow');
  const block = deferred();
  const runs = new Map<string, number>();
  let heldAtBlock = 0;
  const active = h().keys('slow').active;
  const handler = async (job: { id: string; data: string }) => {
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    if (job.data !== 'block') return;
    heldAtBlock = await h().redis.zcard(active);
    await block.promise;
  };
  // one worker measures its handlers short, then takes a batch with the slow one in front
  await q.addBulk(Array.from({ length: 100 }, (_, i) => ({ data: `warm-${i}` })));
  const a = h().worker('slow', handler, { concurrency: 1 });
  await waitFor(async () => (await q.stats()).totals.completed === 100, 'warm-up');
  await q.addBulk([
    ...Array.from({ length: 5 }, (_, i) => ({ data: `lead-${i}` })),
    { data: 'block' },
    ...Array.from({ length: 300 }, (_, i) => ({ data: `tail-${i}` })),
  ]);
  await waitFor(() => heldAtBlock > 0, 'block started');
  expect(heldAtBlock).toBeGreaterThan(1); // it holds jobs behind the slow one
  h().worker('slow', handler, { concurrency: 1, prefetch: 0 });
  // every other job completes while the slow one still runs on `a`
  await waitFor(
    async () => (await q.stats()).totals.completed === 405,
    'all but the slow job',
    20_000,
  );
  expect((await q.stats()).active).toBe(1);
  expect(a.running).toBe(1);
  block.resolve();
  await waitFor(async () => (await q.stats()).totals.completed === 406, 'the slow job');
  expect([...runs.values()].every((n) => n === 1)).toBe(true); // none ran twice
  expect(runs.size).toBe(406);
});

it('closing a worker that holds jobs loses none and runs none twice', async () => {
  const q = h().queue('close');
  const runs = new Map<string, number>();
  const block = deferred();
  let blocked = false;
  const handler = async (job: { id: string; data: string }) => {
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    if (job.data === 'block' && !blocked) {
      blocked = true;
      await block.promise;
    }
  };
  await q.addBulk(Array.from({ length: 100 }, (_, i) => ({ data: `warm-${i}` })));
  const a = h().worker('close', handler, { concurrency: 1 });
  await waitFor(async () => (await q.stats()).totals.completed === 100, 'warm-up');
  await q.addBulk([
    ...Array.from({ length: 5 }, (_, i) => ({ data: `lead-${i}` })),
    { data: 'block' },
    ...Array.from({ length: 200 }, (_, i) => ({ data: `tail-${i}` })),
  ]);
  await waitFor(() => blocked, 'block started');
  const closed = a.close(5000);
  await sleep(20);
  block.resolve(); // the slow handler ends within the close's timeout: its outcome is recorded
  await closed;
  h().worker('close', handler, { concurrency: 1 });
  await waitFor(async () => (await q.stats()).totals.completed === 306, 'all completed', 20_000);
  expect(runs.size).toBe(306);
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
});

it('a held job whose lease was lost is forgotten: it keeps no slot of the worker', async () => {
  const q = h().queue('lost');
  const block = deferred();
  const k = h().keys('lost');
  let victim: string | undefined;
  await q.addBulk(Array.from({ length: 100 }, (_, i) => ({ data: `warm-${i}` })));
  const inFlight = () => (w as unknown as { inFlight: Map<string, unknown> }).inFlight;
  const w = h().worker(
    'lost',
    async (job: { id: string; data: string }) => {
      if (job.data !== 'block') return;
      // at once (well within the 50 ms hold limit): take one held job's lease away, as a
      // lease reaper that found it expired would
      victim = [...inFlight().keys()].find((id) => id !== job.id);
      if (victim) await h().redis.hdel(k.lease, victim);
      await block.promise;
    },
    { concurrency: 1, heartbeatMs: 10, leaseMs: 60_000 },
  );
  const lost: string[] = [];
  w.on('lease-lost', (id) => lost.push(id));
  await waitFor(async () => (await q.stats()).totals.completed === 100, 'warm-up');
  await q.addBulk([
    ...Array.from({ length: 5 }, (_, i) => ({ data: `lead-${i}` })),
    { data: 'block' },
    ...Array.from({ length: 50 }, (_, i) => ({ data: `tail-${i}` })),
  ]);
  await waitFor(() => victim !== undefined && lost.includes(victim), 'lease-lost reported');
  await sleep(150); // the hold limit gives the other held jobs back meanwhile
  block.resolve();
  await waitFor(async () => (await q.stats()).totals.completed >= 155, 'the rest ran', 10_000);
  // every slot is free again: the worker holds nothing (before the fix the lost one stayed)
  await waitFor(() => inFlight().size === 0, 'nothing held', 2000);
});

it('a RateLimitError gives the held jobs back: none runs while the queue is held back', async () => {
  const q = h().queue('limited');
  let limitedAt = 0;
  const calls: { data: string; at: number }[] = [];
  const done: string[] = [];
  await q.addBulk(Array.from({ length: 100 }, (_, i) => ({ data: `warm-${i}` })));
  const w = h().worker(
    'limited',
    async (job: { data: string }) => {
      calls.push({ data: job.data, at: Date.now() });
      if (job.data === 'limit' && !limitedAt) {
        limitedAt = Date.now();
        throw new RateLimitError(1000);
      }
      done.push(job.data);
    },
    { concurrency: 1 },
  );
  let limitedEvents = 0;
  w.on('limited', () => limitedEvents++);
  await waitFor(async () => (await q.stats()).totals.completed === 100, 'warm-up');
  const tails = Array.from({ length: 60 }, (_, i) => `tail-${i}`);
  await q.addBulk([
    ...Array.from({ length: 5 }, (_, i) => ({ data: `lead-${i}` })),
    { data: 'limit' },
    ...tails.map((data) => ({ data })),
  ]);
  await waitFor(async () => (await q.stats()).totals.completed === 166, 'all ran', 15_000);
  // before the fix: every held tail job ran (and would have been limited) inside the window
  const inWindow = calls.filter((c) => c.at > limitedAt && c.at < limitedAt + 900);
  expect(inWindow).toEqual([]);
  expect(limitedEvents).toBe(1);
  // given back in order: the tail runs in the order it was added
  expect(done.filter((d) => d.startsWith('tail-'))).toEqual(tails);
});
