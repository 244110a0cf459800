/**
 * Single plain adds made in one turn go to Redis as one `add_plain` call (plain-adds.ts), and
 * nothing else about them changes: each resolves with its own id once stored, ids follow call
 * order, a held batch goes before any later command of the connection (other adds, reads, the
 * close), a call Redis refuses rejects every add it carried and stores none of them, and a
 * turn's payload past the per-call bound goes in more than one call. Counted with INFO
 * commandstats on a server of this file's own.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './helpers.js';
import { usePrivateRedis } from '../harness/private-redis.js';
import { PLAIN_ADD_CHARS_PER_CALL } from '../../src/queue/commands/plain-adds.js';
import { Queues, SluiceError } from '../../src/index.js';

const priv = usePrivateRedis();
const h = useHarness(() => priv.server.url);

/** Script calls since the last reset (the lean scripts run as FCALL here). */
async function scriptCalls(): Promise<number> {
  const c = await priv.commandCalls();
  return (c.fcall ?? 0) + (c.evalsha ?? 0) + (c.eval ?? 0);
}

/** A queue that has added once: connected, clock calibrated, name registered, scripts loaded. */
async function warmQueue(name: string) {
  const q = h().queue<unknown>(name);
  await q.add('warm', 0);
  await priv.raw.config('RESETSTAT');
  return q;
}

describe('single adds held for one call per turn', () => {
  it('one turn of adds is one add_plain call; each add gets its own id, in call order', async () => {
    const q = await warmQueue('turn');
    const added = await Promise.all(Array.from({ length: 200 }, (_, i) => q.add('j', { i })));
    expect(await scriptCalls()).toBe(1);
    const ids = added.map((a) => Number(a.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
    expect(added.every((a) => a.created)).toBe(true);
    for (const i of [0, 99, 199]) expect((await q.getJob(added[i]!.id))?.data).toEqual({ i });
    expect((await q.stats()).waiting).toBe(201);
  });

  it('adds in separate turns go in separate calls', async () => {
    const q = await warmQueue('turns');
    for (let i = 0; i < 3; i++) await q.add('j', i);
    expect(await scriptCalls()).toBe(3);
  });

  it('a held batch goes before any later command: other adds keep call order, reads see it', async () => {
    const q = await warmQueue('order');
    const a = q.add('a', 1);
    const b = q.add('b', 2, { priority: 'high' }); // add_one: the held `a` goes first
    const c = q.add('c', 3);
    const d = q.add('d', 4, { delay: 60_000 });
    const stats = q.stats(); // a read made after the four adds sees all four
    const ids = (await Promise.all([a, b, c, d])).map((x) => Number(x.id));
    expect(ids).toEqual([ids[0]!, ids[0]! + 1, ids[0]! + 2, ids[0]! + 3]);
    const counts = await stats;
    expect(counts.waiting + counts.delayed).toBe(5); // the warm-up's job, a, b, c, d
    expect(counts.delayed).toBe(1);
  });

  it('queues sharing a connection keep call order: each held batch goes before the other queue', async () => {
    const set = new Queues({ connection: priv.server.url, prefix: h().prefix });
    try {
      const [a, b] = [set.get('shared-a'), set.get('shared-b')];
      await Promise.all([a.add('warm', 0), b.add('warm', 0)]);
      await priv.raw.config('RESETSTAT');
      const runs = [a.add('a1', 1), a.add('a2', 2), b.add('b1', 3), a.add('a3', 4)];
      const seen = a.stats(); // after a1–a3: sees all three, whatever b's adds did in between
      const ids = (await Promise.all(runs)).map((x) => Number(x.id));
      expect((await seen).waiting).toBe(4);
      expect(ids[1]).toBe(ids[0]! + 1);
      expect(ids[3]).toBe(ids[1]! + 1); // a's own counter: a3 follows a2
      // three runs (a1 a2 | b1 | a3), one call each, then the read
      const c = await priv.commandCalls();
      expect(c.fcall).toBe(4);
      const order = await priv.raw.lrange(h().keys('shared-a').wait, 0, -1);
      expect(order.slice(0, 3)).toEqual([String(ids[3]), String(ids[1]), String(ids[0])]);
    } finally {
      await set.close();
    }
  });

  it('close sends the adds made before it', async () => {
    const q = h().queue<unknown>('closing');
    await q.add('warm', 0);
    const adds = Array.from({ length: 20 }, (_, i) => q.add('j', i));
    await q.close();
    expect((await Promise.all(adds)).length).toBe(20);
    expect(await priv.raw.llen(h().keys('closing').wait)).toBe(21);
  });

  it('a call Redis refuses rejects every add it carried, stores none, and loses nothing older', async () => {
    const q = await warmQueue('refused');
    const used = Number(/used_memory:(\d+)/.exec(await priv.raw.info('memory'))![1]);
    await priv.raw.config('SET', 'maxmemory', String(Math.max(1, used - 1_000_000)));
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => q.add('j', i)),
      );
      expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('rejected'));
      for (const o of outcomes) {
        const err = (o as PromiseRejectedResult).reason as SluiceError;
        expect(err).toBeInstanceOf(SluiceError);
        expect(err.message).toMatch(/OOM/);
      }
    } finally {
      await priv.raw.config('SET', 'maxmemory', '0');
    }
    expect(await priv.raw.llen(h().keys('refused').wait)).toBe(1); // the warm-up's, no other
    const again = await Promise.all([q.add('j', 'a'), q.add('j', 'b')]);
    expect(again.map((a) => a.created)).toEqual([true, true]);
    expect(await priv.raw.llen(h().keys('refused').wait)).toBe(3);
  });

  it('a turn whose payloads pass the per-call bound goes in several calls, in order', async () => {
    const q = await warmQueue('large');
    const big = 'x'.repeat(Math.ceil(PLAIN_ADD_CHARS_PER_CALL / 10));
    const added = await Promise.all(Array.from({ length: 12 }, (_, i) => q.add('j', big + i)));
    expect(await scriptCalls()).toBe(2); // 10 + 2: a call ends once past the bound
    const ids = added.map((a) => Number(a.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
    expect((await q.getJob(added[11]!.id))?.data).toBe(big + 11);
  });
});
