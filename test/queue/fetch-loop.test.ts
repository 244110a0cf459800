/**
 * The worker's fetch loop, counted on the wire (commands a worker's connections send, never
 * time): an idle worker's wake-up brings its job (nothing is sent between the add and the
 * handler start), a busy one keeps two script calls in flight, and without prefetch neither holds
 * more jobs than `concurrency` (prefetch: prefetch.test.ts).
 */
import { expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { scriptSource } from '../../src/redis/scripts.js';
import { waitFor } from '../harness/context.js';
import { sleep, useHarness } from './helpers.js';

const h = useHarness();

interface Wire {
  /** Waits and fetch/complete calls the worker sent ('blpop', 'fetch', 'complete'), since reset. */
  sent: string[];
  /** Most fetch/complete calls in flight at once on the command connection (not a blocked wait). */
  maxScripts: number;
}

const sha = (name: string) => createHash('sha1').update(scriptSource(name)).digest('hex');
const LOOP_SCRIPTS = new Map([
  [sha('fetch'), 'fetch'],
  [sha('complete'), 'complete'],
]);
// Background tasks (reaper, heartbeat, janitor, relay) out of the way of the count.
const QUIET = {
  stallCheckMs: 3_600_000,
  retentionCheckMs: 3_600_000,
  flowRelayMs: 3_600_000,
  schedules: false,
} as const;

/** Watches what `w` sends (its two Redis connections; private fields, read for this count). */
function watch(w: object): Wire {
  const wire: Wire = { sent: [], maxScripts: 0 };
  let scripts = 0;
  const inner = w as { client: Redis; blockingClient: Redis };
  for (const client of [inner.client, inner.blockingClient]) {
    const send = client.sendCommand.bind(client);
    client.sendCommand = (cmd, stream) => {
      const loop = cmd.name === 'evalsha' ? LOOP_SCRIPTS.get(String(cmd.args[0])) : undefined;
      if (cmd.name === 'blpop' || loop) wire.sent.push(loop ?? cmd.name);
      if (loop && client === inner.client) {
        wire.maxScripts = Math.max(wire.maxScripts, ++scripts);
        void cmd.promise.then(
          () => scripts--,
          () => scripts--,
        );
      }
      return send(cmd, stream);
    };
  }
  return wire;
}

it("an idle worker's wake-up brings its job: nothing is sent between the add and the start", async () => {
  const q = h().queue('carry');
  const sentAtStart: string[][] = [];
  const w = h().worker('carry', () => void sentAtStart.push([...wire.sent]), {
    concurrency: 10,
    ...QUIET,
  });
  const wire = watch(w);
  await sleep(100); // idle: blocked on the marker, the fetch queued behind it
  for (let i = 0; i < 5; i++) {
    wire.sent = [];
    await q.add('x', i);
    await waitFor(() => sentAtStart.length === i + 1, `job ${i} started`);
    await waitFor(async () => (await q.stats()).completed === i + 1, `job ${i} completed`);
    await sleep(20); // blocked again
  }
  // Old code: the BLPOP returned a signal, then the worker sent the fetch.
  expect(sentAtStart).toEqual([[], [], [], [], []]);
  // and per job after it, in one write on the waiting connection: its ack (a complete that
  // fetches nothing), then the next wait and the fetch behind it
  expect(wire.sent).toEqual(['complete', 'blpop', 'fetch']);
});

it('a busy worker (c=40, no prefetch) keeps two script calls in flight, and never holds more than concurrency', async () => {
  const q = h().queue('pipe');
  await q.addBulk(Array.from({ length: 3000 }, (_, i) => ({ data: i })));
  const k = h().keys('pipe');
  let maxActive = 0;
  let n = 0;
  const w = h().worker(
    'pipe',
    async () => {
      // every 50th job: how many jobs Redis counts as active (leased) right now
      if (n++ % 50 === 0) maxActive = Math.max(maxActive, await h().redis.zcard(k.active));
    },
    { concurrency: 40, prefetch: 0, autorun: false, ...QUIET },
  );
  const wire = watch(w);
  w.run();
  await waitFor(async () => (await q.stats()).totals.completed === 3000, 'drained', 30_000);
  expect(wire.maxScripts).toBe(2); // 40 slots: two calls (old code: one, then wait for its reply)
  expect(maxActive).toBeLessThanOrEqual(40);
  expect(maxActive).toBeGreaterThan(0);
});

it('from 150 slots a busy worker keeps three script calls in flight', async () => {
  const q = h().queue('pipe3');
  await q.addBulk(Array.from({ length: 6000 }, (_, i) => ({ data: i })));
  const w = h().worker('pipe3', async () => {}, {
    concurrency: 160,
    prefetch: 0,
    autorun: false,
    ...QUIET,
  });
  const wire = watch(w);
  w.run();
  await waitFor(async () => (await q.stats()).totals.completed === 6000, 'drained', 30_000);
  expect(wire.maxScripts).toBe(3);
});
