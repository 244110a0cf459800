/**
 * The lean add scripts (`add_one` for one job, `add_plain` for a chunk of plain jobs) store
 * exactly what the full `add` stores for the same jobs — records, waiting structures, counters,
 * events, wake-ups — so the fast path cannot drift; and `Queue.add` / `addBulk` take them
 * whenever a job allows it, the full script otherwise (seen on MONITOR).
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { AddSpec } from '../../src/queue/commands/types.js';
import { scriptOfCommand } from '../../src/redis/scripts.js';
import { waitFor } from '../harness/context.js';
import { useHarness } from './helpers.js';
import { usePrivateRedis } from '../harness/private-redis.js';

const h = useHarness();

const spec = (o: Partial<AddSpec> & { body: string }): AddSpec => ({
  id: '',
  priority: 0,
  delayMs: 0,
  dedupKey: '',
  dedupTtlMs: 0,
  entity: '',
  ...o,
});

/** Everything a queue's adds write, minus the stream ids (times) of its events. */
async function written(name: string) {
  const k = h().keys(name);
  const r = h().redis;
  const events = (await r.xrange(k.events, '-', '+')).map(([, fields]) => fields);
  const [marker, delayed, prio] = await Promise.all([
    r.lrange(k.marker, 0, -1),
    r.zrange(k.delayed, 0, -1, 'WITHSCORES'),
    r.zrange(k.prio, 0, -1, 'WITHSCORES'),
  ]);
  const state = await h().state(name);
  return {
    ...state,
    records: await r.hgetall(k.jobs),
    delayed,
    prio,
    marker,
    events,
  };
}

/** Both queues listen to events (so both scripts write them). */
async function listening(...names: string[]) {
  const until = String(Date.now() + 60_000);
  for (const n of names) await h().redis.hset(h().keys(n).meta, 'evlisten', until);
}

describe('lean add scripts', () => {
  it('add_one stores what add stores, job by job', async () => {
    await listening('full', 'lean');
    const full = h().commands('full');
    const lean = h().commands('lean');
    const now = await h().now();
    const jobs = [
      spec({ body: 'a||{"n":1}' }),
      spec({ body: 'b||{"n":2}', id: 'given' }),
      spec({ body: 'c||{"n":3}', id: 'given' }), // exists: left alone
      spec({ body: 'd|{"maxAttempts":2}|3', priority: 5 }),
      spec({ body: 'e||4', priority: -3 }),
      spec({ body: 'f||5', delayMs: 1500 }),
      spec({ body: 'g||6', delayMs: 500, priority: 2 }), // a new earliest due time
      spec({ body: 'h||7', delayMs: 9000, id: 'late' }),
      spec({ body: 'i||8' }),
    ];
    for (const [i, j] of jobs.entries()) {
      const a = await full.add([j], now + i);
      const b = await lean.addOne(j, now + i);
      expect(b).toEqual(a[0]);
      // after every job (each one's own wake-up seen: a worker took the last one)
      expect(await written('lean'), `after job ${i}`).toEqual(await written('full'));
      for (const n of ['full', 'lean']) await h().redis.del(h().keys(n).marker);
    }
    const a = await written('full');
    expect(a.waiting.length).toBeGreaterThan(0);
    expect(a.delayed.length).toBe(6);
    expect(a.events.length).toBe(8);
  });

  it('add_plain stores what add stores for a chunk of plain jobs', async () => {
    await listening('full', 'lean');
    const full = h().commands('full');
    const lean = h().commands('lean');
    const now = await h().now();
    for (const n of [1, 3, 250]) {
      const bodies = Array.from(
        { length: n },
        (_, i) => `j|${i % 2 ? '{"meta":{"u":1}}' : ''}|${i}`,
      );
      const a = await full.add(
        bodies.map((body) => spec({ body })),
        now + n,
      );
      const b = await lean.addPlain(bodies, now + n);
      expect(b).toEqual(a);
      expect(await written('lean'), `after ${n} jobs`).toEqual(await written('full'));
      for (const q of ['full', 'lean']) await h().redis.del(h().keys(q).marker);
    }
  });
});

describe('Queue.add and addBulk', () => {
  // MONITOR on a server of this file's own: on the shared one, other files' traffic can reach the
  // monitor connection before its MONITOR reply and confuse ioredis's reply queue.
  const priv = usePrivateRedis();
  const h = useHarness(() => priv.server.url);
  let monitor: Redis | undefined;
  afterEach(() => monitor?.disconnect());

  it('take the lean scripts when a job allows it, the full one otherwise', async () => {
    const q = h().queue('which');
    // connected, calibrated, registered, and every script loaded once: each call below is an
    // FCALL
    await q.add('warm', 1);
    await q.add('warm', 1, { priority: 'high' });
    await q.add('warm', 1, { dedupKey: 'w' });
    await q.addBulk([{ data: 1 }]);
    monitor = await (h().redis as Redis).monitor();
    const seen: string[] = [];
    const family = new Set(['add', 'add_one', 'add_plain']);
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (!args.some((a) => a.startsWith(`${h().prefix}:{which}`))) return;
      const cmd = args[0]!.toLowerCase();
      // (MONITOR also shows the commands a script runs: only the script calls count here)
      const name = scriptOfCommand(cmd, args[1] ?? '');
      // only the add family counts (a registration or clock call of the handle may show too)
      if (name && family.has(name)) seen.push(name);
    });
    await q.add('a', 1);
    await q.add('b', 2, { priority: 'high', delay: 10, id: 'x1', maxAttempts: 2 });
    await q.add('c', 3, { dedupKey: 'k' });
    await q.add('d', 4, { group: 'g' });
    await q.addBulk([{ name: 'e', data: 5 }, { data: 6 }]);
    await q.addBulk([
      { name: 'f', data: 7 },
      { name: 'g', data: 8, opts: { priority: 1 } },
    ]);
    await q.add('h', 9, { entity: 'acct' });
    await waitFor(() => seen.length >= 7, 'MONITOR lines'); // MONITOR lags the replies a little
    await new Promise((r) => setTimeout(r, 50)); // and nothing more comes
    expect(seen).toEqual(['add_plain', 'add_one', 'add', 'add', 'add_plain', 'add', 'add']);
  });
});
