/**
 * Consumer groups: each entry to one consumer, stats, dead letters, trimming against live groups,
 * graceful shutdown, and removing consumers.
 */
import { describe, expect, it } from 'vitest';
import type { Position } from '../../../src/index.js';
import type { ConnectionOptions } from '../../../src/redis/connection.js';
import { scriptSource } from '../../../src/redis/scripts.js';
import { waitFor } from '../../harness/context.js';
import { StreamHarness } from '../helpers.js';
import { FAST_GROUP } from './fast.js';

/** The consumer-group cases. */
export function groupsCases(connection: () => ConnectionOptions): void {
  const harness = () => new StreamHarness(connection());

  describe('consumer groups', () => {
    it('gives each entry to exactly one consumer and acks it after the handler', async () => {
      const h = harness();
      const topic = h.streams().topic<number>('work');
      const group = topic.group('workers');
      await group.create();
      await group.create(); // idempotent
      const handled: { n: number; by: string }[] = [];
      const start = (name: string) =>
        h
          .streams()
          .topic<number>('work')
          .group('workers')
          .process(
            async (entry, ctx) => {
              await new Promise((r) => setTimeout(r, 1));
              handled.push({ n: entry.data, by: ctx.consumer });
            },
            { ...FAST_GROUP, consumer: name, concurrency: 4 },
          );
      const a = start('a');
      const b = start('b');
      await Promise.all([a.ready(), b.ready()]);
      await topic.publishBulk(Array.from({ length: 200 }, (_, n) => ({ data: n })));
      await waitFor(() => handled.length >= 200, '200 handled');
      await waitFor(async () => (await group.stats()).pending === 0, 'all acked');
      expect(handled.map((x) => x.n).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 200 }, (_, n) => n),
      );
      const stats = await group.stats();
      expect(stats).toMatchObject({ group: 'workers', lag: 0, pending: 0, deadLetters: 0 });
      expect(stats.oldestPendingAgeMs).toBeNull();
      await Promise.all([a.close(), b.close()]);
      // Graceful shutdown removed both consumers: they owned nothing pending.
      expect((await group.stats()).consumers).toEqual([]);
      expect(handled).toHaveLength(200);
    });

    it('reports lag, pending, oldest pending age and pending per consumer', async () => {
      const h = harness();
      const topic = h.streams().topic<number>('lagging');
      const group = topic.group('slow');
      await group.create();
      await topic.publishBulk(Array.from({ length: 30 }, (_, n) => ({ data: n })));
      expect(await group.stats()).toMatchObject({ lag: 30, pending: 0, consumers: [] });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started = 0;
      const p = group.process(
        async () => {
          started++;
          await gate;
        },
        { ...FAST_GROUP, claimIdleMs: 60_000, consumer: 'only', concurrency: 5 },
      );
      await waitFor(() => started === 5, '5 started');
      await new Promise((r) => setTimeout(r, 20));
      const s = await group.stats();
      expect(s).toMatchObject({ lag: 25, pending: 5 });
      expect(s.consumers).toEqual([{ name: 'only', pending: 5, idleMs: expect.any(Number) }]);
      expect(s.oldestPendingAgeMs).toBeGreaterThanOrEqual(20);
      release();
      await waitFor(async () => (await group.stats()).lag === 0, 'lag 0');
      await waitFor(async () => (await group.stats()).pending === 0, 'pending 0');
      await p.close();
    });

    it('dead-letters an entry after maxDeliveries with its last error, then acks it', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('poisoned');
      const group = topic.group('g');
      const attempts: number[] = [];
      const retries: number[] = [];
      const dead: Position[] = [];
      const p = group.process(
        (entry, ctx) => {
          if (entry.data !== 'poison') return;
          attempts.push(ctx.deliveries);
          throw new Error(`boom ${ctx.deliveries}`);
        },
        { ...FAST_GROUP, consumer: 'c', maxDeliveries: 3, retryDelayMs: 0, claimIdleMs: 300 },
      );
      p.on('retry', (_e, _err, n) => retries.push(n));
      p.on('dead-letter', (pos) => dead.push(pos));
      await p.ready();
      await topic.publish('fine');
      const { position } = await topic.publish('poison');
      await topic.publish('fine too');
      await waitFor(async () => (await group.stats()).deadLetters === 1, 'dead letter');
      expect(attempts).toEqual([1, 2, 3]);
      expect(retries).toEqual([1, 2]);
      expect(dead).toEqual([position]);
      const [dl] = await group.deadLetters();
      expect(dl).toMatchObject({
        position,
        data: 'poison',
        error: 'Error: boom 3',
        deliveries: 3,
        consumer: 'c',
      });
      expect(await group.stats()).toMatchObject({ pending: 0, lag: 0, deadLetters: 1 });
      await p.close();
    });

    it('dead-letters an entry whose last delivery never finished, with why, in the event too', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('abandoned');
      const group = topic.group('g');
      const a = group.process(
        (_entry, { signal }) => new Promise((r) => signal.addEventListener('abort', r)),
        { ...FAST_GROUP, consumer: 'a', maxDeliveries: 1 },
      );
      await a.ready();
      await topic.publish('stuck');
      await waitFor(() => a.active === 1, 'running on a');
      await a.close(50); // gives it back unfinished: that delivery counts
      const events: string[] = [];
      const b = group.process(() => {}, { ...FAST_GROUP, consumer: 'b', maxDeliveries: 1 });
      b.on('dead-letter', (_position, error) => events.push(error));
      await waitFor(() => events.length === 1, 'dead-lettered by b');
      const [dl] = await group.deadLetters();
      expect(dl).toMatchObject({ data: 'stuck', deliveries: 1, consumer: 'a' });
      expect(dl!.error).toBe('not acknowledged within 1000 ms by consumer a');
      expect(events).toEqual([dl!.error]);
      expect(await group.stats()).toMatchObject({ pending: 0, deadLetters: 1 });
      await b.close();
    });

    it('deletes a topic with its groups and their dead letters, never leaving one behind', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('doomed');
      const group = topic.group('g');
      const p = group.process(
        () => {
          throw new Error('no');
        },
        { ...FAST_GROUP, consumer: 'c', maxDeliveries: 1 },
      );
      await p.ready();
      await topic.publish('bad');
      await waitFor(async () => (await group.stats()).deadLetters === 1, 'dead letter');
      await p.close();
      const k = topic.keys;
      const dlq = `${h.prefix}:{s:doomed}:dlq:g`;
      expect(await h.redis.exists(dlq)).toBe(1);
      // A delete that does not name every group (one was created meanwhile) is refused whole.
      const refused = await h.redis.eval(
        scriptSource('stream_delete'),
        5,
        k.stream,
        k.meta,
        k.idem,
        k.idemz,
        k.errors,
      );
      expect(refused).toBe(-1);
      expect(await h.redis.exists(k.stream)).toBe(1);
      expect(await topic.delete()).toBe(true);
      for (const key of [k.stream, k.meta, k.idem, k.idemz, k.errors, dlq])
        expect(await h.redis.exists(key)).toBe(0);
      expect(await topic.delete()).toBe(false);
    });

    it('does not trim entries a live group has not acked, unless configured to', async () => {
      const h = harness();
      const streams = h.streams();
      const topic = streams.topic<number>('kept', { maxLen: 5 });
      await topic.group('audit').create();
      await topic.publishBulk(Array.from({ length: 20 }, (_, n) => ({ data: n })));
      expect((await topic.info()).length).toBe(20);
      const p = topic.group('audit').process(() => {}, { ...FAST_GROUP, consumer: 'x' });
      await waitFor(async () => (await topic.group('audit').stats()).lag === 0, 'caught up');
      await waitFor(async () => (await topic.group('audit').stats()).pending === 0, 'acked');
      await topic.publish(20);
      expect((await topic.info()).length).toBe(5);
      await p.close();

      const loose = streams.topic<number>('loose', { maxLen: 5, trimUnacked: true });
      await loose.group('audit').create();
      await loose.publishBulk(Array.from({ length: 20 }, (_, n) => ({ data: n })));
      expect((await loose.info()).length).toBe(5);

      // A group whose consumers were not seen for groupLiveMs no longer holds entries back.
      const stale = streams.topic<number>('stale', { maxLen: 5, groupLiveMs: 100 });
      await stale.group('gone').create();
      await new Promise((r) => setTimeout(r, 200));
      await stale.publishBulk(Array.from({ length: 20 }, (_, n) => ({ data: n })));
      expect((await stale.info()).length).toBe(5);
    });

    it('shuts down gracefully: finishes what it can, gives the rest back at once', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('graceful');
      const group = topic.group('g');
      const done: string[] = [];
      let aborted = false;
      const a = group.process(
        async (entry, { signal }) => {
          if (entry.data === 'stuck')
            await new Promise<void>((r) =>
              signal.addEventListener('abort', () => {
                aborted = true;
                r();
              }),
            );
          else await new Promise((r) => setTimeout(r, 100));
          done.push(`a:${entry.data}`);
        },
        { ...FAST_GROUP, consumer: 'a', concurrency: 2 },
      );
      await a.ready();
      await topic.publishBulk([{ data: 'stuck' }, { data: 'quick' }]);
      await waitFor(() => a.active === 2, 'both running');
      await a.close(300); // 'quick' finishes within the timeout, 'stuck' does not
      expect(aborted).toBe(true);
      expect(done).toContain('a:quick');
      const again: { data: string; deliveries: number }[] = [];
      const b = group.process(
        (entry, ctx) => {
          again.push({ data: entry.data, deliveries: ctx.deliveries });
        },
        { ...FAST_GROUP, consumer: 'b' },
      );
      await waitFor(() => again.length === 1, 'given-back entry handled by b');
      expect(again).toEqual([{ data: 'stuck', deliveries: 2 }]);
      await waitFor(async () => (await group.stats()).pending === 0, 'all acked');
      await b.close();
    });

    it('removes a consumer only when it owns nothing pending', async () => {
      const h = harness();
      const topic = h.streams().topic<number>('owners');
      const group = topic.group('g');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const p = group.process(() => gate, { ...FAST_GROUP, claimIdleMs: 60_000, consumer: 'busy' });
      await p.ready();
      await topic.publish(1);
      await waitFor(async () => (await group.stats()).pending === 1, 'pending');
      expect(await group.removeConsumer('busy')).toBe(false);
      expect((await group.stats()).consumers.map((c) => c.name)).toEqual(['busy']);
      release();
      await waitFor(async () => (await group.stats()).pending === 0, 'acked');
      expect(await group.removeConsumer('busy')).toBe(true);
      expect((await group.stats()).consumers).toEqual([]);
      await p.close();
    });
  });
}
