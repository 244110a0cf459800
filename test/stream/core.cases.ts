/**
 * The core stream cases, run on a single Redis (`core.test.ts`) and on a 3-master Cluster
 * (`cluster.test.ts`): ordering, exclusive ranges, idempotency, truncation, epochs, subscribe
 * hand-over, consumer groups, retention vs groups, the fan-in feed, cursors, ephemeral topics
 * and TTL expiry.
 */
import { describe, expect, it } from 'vitest';
import { START, type FeedPointer, type Position, type StreamEntry } from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { waitFor } from '../harness/context.js';
import { Collector, StreamHarness, assertNoGapNoDup } from './helpers.js';

const FAST_GROUP = { blockMs: 500, claimIdleMs: 1000, reclaimIntervalMs: 100 } as const;

export function coreCases(connection: () => ConnectionOptions): void {
  const harness = () => new StreamHarness(connection());

  describe('topics', () => {
    it('publishes in order and reads ranges exclusive of `after`', async () => {
      const streams = harness().streams();
      const topic = streams.topic<{ n: number }>('orders');
      const published = await topic.publishBulk(
        Array.from({ length: 10 }, (_, n) => ({ data: { n } })),
      );
      const p = published.map((x) => x.position);
      expect(new Set(p.map((x) => x.split(':')[0])).size).toBe(1);

      const page = await topic.range({ after: p[3], limit: 4 });
      expect(page.entries.map((e) => e.data.n)).toEqual([4, 5, 6, 7]);
      expect(page.entries.map((e) => e.position)).toEqual(p.slice(4, 8));
      expect(page).toMatchObject({ truncated: null, next: p[7], hasMore: true });
      const rest = await topic.range({ after: page.next, limit: 100 });
      expect(rest.entries.map((e) => e.data.n)).toEqual([8, 9]);
      expect(rest.hasMore).toBe(false);
      const end = await topic.range({ after: p[9] });
      expect(end).toMatchObject({ entries: [], next: p[9], hasMore: false, truncated: null });
      expect((await topic.range({ after: START, limit: 2 })).entries.map((e) => e.data.n)).toEqual([
        0, 1,
      ]);

      expect((await topic.latest(3)).map((e) => e.data.n)).toEqual([7, 8, 9]);
      expect((await topic.get(p[5]!))?.data).toEqual({ n: 5 });
      const info = await topic.info();
      expect(info).toMatchObject({ exists: true, length: 10, first: p[0], last: p[9] });
      expect(info.entriesAdded).toBe(10);
      expect(info.epoch).toBe(p[0]!.split(':')[0]);
      const missing = await streams.topic('nobody').info();
      expect(missing).toMatchObject({ exists: false, epoch: null, length: 0 });
    });

    it('keeps each publisher order under concurrent publishers, and positions increase', async () => {
      const h = harness();
      const hubs = [h.streams(), h.streams(), h.streams(), h.streams()];
      const positions: Position[] = [];
      await Promise.all(
        hubs.map(async (hub, w) => {
          const topic = hub.topic<{ w: number; i: number }>('busy');
          for (let i = 0; i < 40; i += 2) {
            const r =
              i % 4 === 0
                ? await topic.publishBulk([{ data: { w, i } }, { data: { w, i: i + 1 } }])
                : [await topic.publish({ w, i }), await topic.publish({ w, i: i + 1 })];
            positions.push(...r.map((x) => x.position));
          }
        }),
      );
      const all: StreamEntry<{ w: number; i: number }>[] = [];
      let after: Position = START;
      for (;;) {
        const page = await hubs[0]!.topic<{ w: number; i: number }>('busy').range({
          after,
          limit: 37,
        });
        all.push(...page.entries);
        after = page.next;
        if (!page.hasMore) break;
      }
      expect(all).toHaveLength(160);
      expect(all.map((e) => e.position).sort()).toEqual([...positions].sort());
      for (let w = 0; w < 4; w++)
        expect(all.filter((e) => e.data.w === w).map((e) => e.data.i)).toEqual(
          Array.from({ length: 40 }, (_, i) => i),
        );
      for (let i = 1; i < all.length; i++)
        expect(all[i]!.time).toBeGreaterThanOrEqual(all[i - 1]!.time);
    });

    it('appends once per idempotency key within the window, even from concurrent publishers', async () => {
      const h = harness();
      const a = h.streams().topic<string>('jobs', { idempotencyWindowMs: 400 });
      const b = h.streams().topic<string>('jobs', { idempotencyWindowMs: 400 });
      const first = await a.publish('x', { idempotencyKey: 'task-1' });
      const again = await b.publish('changed', { idempotencyKey: 'task-1' });
      expect(again).toEqual({ position: first.position, duplicate: true });
      const racing = await Promise.all([
        a.publish('r1', { idempotencyKey: 'task-2' }),
        b.publish('r2', { idempotencyKey: 'task-2' }),
        a.publish('r3', { idempotencyKey: 'task-2' }),
      ]);
      expect(new Set(racing.map((r) => r.position)).size).toBe(1);
      expect(racing.filter((r) => !r.duplicate)).toHaveLength(1);
      const bulk = await a.publishBulk([
        { data: 'b1', idempotencyKey: 'task-3' },
        { data: 'b2', idempotencyKey: 'task-3' },
        { data: 'b3' },
      ]);
      expect(bulk.map((r) => r.duplicate)).toEqual([false, true, false]);
      expect(bulk[1]!.position).toBe(bulk[0]!.position);
      const winner = (await a.get(racing[0]!.position))!.data;
      expect(['r1', 'r2', 'r3']).toContain(winner);
      expect((await a.range()).entries.map((e) => e.data)).toEqual(['x', winner, 'b1', 'b3']);
      expect((await a.info()).length).toBe(4);
      // After the window the key is forgotten: the same key appends again.
      await new Promise((r) => setTimeout(r, 500));
      const later = await a.publish('y', { idempotencyKey: 'task-1' });
      expect(later.duplicate).toBe(false);
      expect(later.position).not.toBe(first.position);
    });

    it('says explicitly when history after a position was trimmed, and only then', async () => {
      const streams = harness().streams();
      const topic = streams.topic<number>('short', { maxLen: 5 });
      const p = (await topic.publishBulk(Array.from({ length: 10 }, (_, n) => ({ data: n })))).map(
        (x) => x.position,
      );
      expect((await topic.info()).length).toBe(5);
      const lost = await topic.range({ after: p[1] });
      expect(lost.truncated).toEqual({ reason: 'trimmed', firstAvailable: p[5] });
      expect(lost.entries.map((e) => e.data)).toEqual([5, 6, 7, 8, 9]);
      // A reader whose last entry was the newest one trimmed missed nothing.
      const exact = await topic.range({ after: p[4] });
      expect(exact.truncated).toBeNull();
      expect(exact.entries.map((e) => e.data)).toEqual([5, 6, 7, 8, 9]);
      expect((await topic.range({ after: p[6] })).truncated).toBeNull();
      expect((await topic.range({ after: START })).truncated).toBeNull();

      const c = new Collector(topic.subscribe({ after: p[0] }));
      await c.waitForCount(5);
      expect(c.events[0]).toEqual({
        type: 'truncated',
        truncation: { reason: 'trimmed', firstAvailable: p[5] },
      });
      expect(c.data).toEqual([5, 6, 7, 8, 9]);
      await c.stop();
    });

    it('trims by age, and the trimmed reader is told', async () => {
      const streams = harness().streams();
      const topic = streams.topic<string>('aging', { maxAgeMs: 200 });
      const old = await topic.publish('old');
      const old2 = await topic.publish('old2');
      await new Promise((r) => setTimeout(r, 300));
      const fresh = await topic.publish('fresh');
      const page = await topic.range({ after: old.position });
      expect(page.truncated).toEqual({ reason: 'trimmed', firstAvailable: fresh.position });
      expect(page.entries.map((e) => e.data)).toEqual(['fresh']);
      expect((await topic.range({ after: old2.position })).truncated).toBeNull();
    });

    it('detects a recreated topic by its epoch', async () => {
      const streams = harness().streams();
      const topic = streams.topic<string>('life');
      await topic.publish('a');
      const { position: old } = await topic.publish('b');
      expect(await topic.delete()).toBe(true);
      const gone = await topic.range({ after: old });
      expect(gone.truncated).toEqual({ reason: 'epoch', firstAvailable: null });
      expect(gone.epoch).toBeNull();

      const { position: fresh } = await topic.publish('new-1');
      await topic.publish('new-2');
      expect(fresh.split(':')[0]).not.toBe(old.split(':')[0]);
      const page = await topic.range({ after: old });
      expect(page.truncated).toEqual({ reason: 'epoch', firstAvailable: fresh });
      expect(page.entries.map((e) => e.data)).toEqual(['new-1', 'new-2']);
      expect(await topic.get(old)).toBeUndefined();

      const c = new Collector(topic.subscribe({ after: old }));
      await c.waitForCount(2);
      expect(c.events[0]).toEqual({
        type: 'truncated',
        truncation: { reason: 'epoch', firstAvailable: fresh },
      });
      await topic.publish('new-3');
      await c.waitForCount(3);
      expect(c.data).toEqual(['new-1', 'new-2', 'new-3']);
      await c.stop();
    });
  });

  describe('subscribe', () => {
    it('delivers the backlog in pages then live entries, with no gap and no duplicate', async () => {
      const h = harness();
      const producer = h.streams().topic<number>('feed-a');
      await producer.publishBulk(Array.from({ length: 500 }, (_, n) => ({ data: n })));
      const topic = h.streams().topic<number>('feed-a');
      const c = new Collector(topic.subscribe({ after: START, pageSize: 50 }));
      // Publish more while the subscriber is still catching up.
      for (let n = 500; n < 800; n += 10)
        await producer.publishBulk(Array.from({ length: 10 }, (_, i) => ({ data: n + i })));
      await c.waitForCount(800);
      await waitFor(() => c.sub.stats.mode === 'live', 'live mode');
      for (let n = 800; n < 850; n++) await producer.publish(n);
      await c.waitForCount(850);
      assertNoGapNoDup(c.data, 0, 850);
      expect(c.sub.stats.pagesRead).toBeGreaterThanOrEqual(10);
      expect(c.sub.position).toBe(c.entries[849]!.position);
      await c.stop();
    });

    it('without `after` delivers only what is published from then on', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('now');
      await topic.publish('before');
      const sub = topic.subscribe();
      await sub.ready(); // from here on, nothing published is missed
      await topic.publish('after-1');
      const c = new Collector(sub);
      await topic.publishBulk([{ data: 'after-2' }, { data: 'after-3' }]);
      await c.waitForCount(3);
      expect(c.data).toEqual(['after-1', 'after-2', 'after-3']);
      await c.stop();
    });

    it('shares one reader among the subscribers of a topic and resumes each exactly', async () => {
      const h = harness();
      const producer = h.streams().topic<number>('shared');
      const positions = (
        await producer.publishBulk(Array.from({ length: 30 }, (_, n) => ({ data: n })))
      ).map((x) => x.position);
      const hub = h.streams();
      const topic = hub.topic<number>('shared');
      const subs = [0, 9, 19, 29].map(
        (i) => new Collector(topic.subscribe({ after: positions[i] })),
      );
      await waitFor(() => subs.every((s) => s.sub.stats.mode === 'live'), 'all live');
      expect(hub.stats.liveTopics).toBe(1);
      if (typeof connection() === 'string') {
        // One Redis subscription for the four local subscribers.
        const [, n] = (await h.redis.call('PUBSUB', 'NUMSUB', `${h.prefix}:{s:shared}:live`)) as [
          string,
          number,
        ];
        expect(n).toBe(1);
      }
      for (let n = 30; n < 40; n++) await producer.publish(n);
      for (const [k, i] of [0, 9, 19, 29].entries()) {
        await subs[k]!.waitForCount(39 - i);
        assertNoGapNoDup(subs[k]!.data, i + 1, 40);
      }
      for (const s of subs) await s.stop();
      expect(hub.stats.liveTopics).toBe(0);
    });
  });

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

  describe('fan-in feed', () => {
    it('appends a pointer to the topic’s partition in the same step; a group works through them', async () => {
      const h = harness();
      const streams = h.streams();
      const feed = streams.feed('chat', { partitions: 4 });
      const topics = Array.from({ length: 12 }, (_, i) =>
        streams.topic<string>(`conv:${i}`, { feed, maxLen: 100 }),
      );
      const published: FeedPointer[] = [];
      for (const [i, t] of topics.entries()) {
        const r = await t.publish(`hello ${i}`);
        published.push({ topic: t.name, position: r.position });
        // a duplicate publish appends no second pointer
        await t.publish(`dup ${i}`, { idempotencyKey: 'k' });
        const d = await t.publish(`dup ${i}`, { idempotencyKey: 'k' });
        expect(d.duplicate).toBe(true);
      }
      let pointers = 0;
      for (let part = 0; part < 4; part++) {
        const entries = (await feed.partition(part).range({ limit: 100 })).entries;
        pointers += entries.length;
        for (const e of entries) expect(feed.partitionOf(e.data.topic)).toBe(part);
      }
      expect(pointers).toBe(24);

      const seen: FeedPointer[] = [];
      const group = feed.group('notify');
      const p = group.process(
        async (entry) => {
          seen.push(entry.data);
        },
        { ...FAST_GROUP, consumer: 'n1', concurrency: 3 },
      );
      await waitFor(() => seen.length >= 24, '24 pointers');
      for (const ptr of published) expect(seen).toContainEqual(ptr);
      const first = seen.find((s) => s.topic === 'conv:3')!;
      expect((await streams.topic<string>('conv:3', { feed }).get(first.position))?.data).toMatch(
        /^(hello|dup) 3$/,
      );
      await waitFor(async () => (await group.stats()).pending === 0, 'acked');
      expect(await group.stats()).toMatchObject({ lag: 0, pending: 0 });
      await p.close();
    });
  });

  describe('cursors and unread counts', () => {
    it('keeps a forward-only cursor per client with a TTL, and unread counts per user', async () => {
      const h = harness();
      const streams = h.streams();
      const topic = streams.topic<string>('conv:9');
      const p = (await topic.publishBulk(['a', 'b', 'c', 'd'].map((data) => ({ data })))).map(
        (x) => x.position,
      );
      const cursors = streams.cursors();
      expect(await cursors.get('bob', 'phone', 'conv:9')).toBeNull();
      expect(await cursors.set('bob', 'phone', 'conv:9', p[1]!)).toBe(p[1]);
      expect(await cursors.set('bob', 'phone', 'conv:9', p[0]!)).toBe(p[1]); // never backwards
      await cursors.set('bob', 'laptop', 'conv:9', p[3]!);
      expect(await cursors.get('bob', 'phone', 'conv:9')).toBe(p[1]);
      expect(await cursors.get('bob', 'laptop', 'conv:9')).toBe(p[3]);
      const missed = await cursors.missed(topic, 'bob', 'phone');
      expect(missed.entries.map((e) => e.data)).toEqual(['c', 'd']);

      const ttl = await h.redis.pttl(`${h.prefix}:{u:bob}:cursor:phone:conv:9`);
      expect(ttl).toBeGreaterThan(29 * 86_400_000);
      expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);

      expect(await cursors.addUnread('bob', 'conv:9')).toBe(1);
      expect(await cursors.addUnread('bob', 'conv:9', 2)).toBe(3);
      await cursors.addUnread('bob', 'conv:1');
      expect(await cursors.unread('bob', ['conv:9', 'conv:1', 'conv:5'])).toEqual({
        'conv:9': 3,
        'conv:1': 1,
        'conv:5': 0,
      });
      const uttl = await h.redis.pttl(`${h.prefix}:{u:bob}:unread:conv:9`);
      expect(uttl).toBeGreaterThan(23 * 3_600_000);
      expect(uttl).toBeLessThanOrEqual(24 * 3_600_000);
      await cursors.set('bob', 'phone', 'conv:9', p[3]!, { clearUnread: true });
      expect(await cursors.unread('bob', ['conv:9'])).toEqual({ 'conv:9': 0 });

      // A position of a newer epoch replaces the cursor.
      await topic.delete();
      const { position: fresh } = await topic.publish('new');
      expect(await cursors.set('bob', 'phone', 'conv:9', fresh)).toBe(fresh);

      const short = streams.cursors({ cursorTtlMs: 200, unreadTtlMs: 200 });
      await short.set('amy', 'web', 'conv:9', fresh);
      await short.addUnread('amy', 'conv:9');
      await waitFor(async () => (await short.get('amy', 'web', 'conv:9')) === null, 'expiry');
      expect(await short.unread('amy', ['conv:9'])).toEqual({ 'conv:9': 0 });
    });
  });

  describe('ephemeral topics', () => {
    it('delivers over Pub/Sub with the same subscribe call, without history or resume', async () => {
      const h = harness();
      const topic = h.streams().ephemeral<{ n: number }>('typing:1');
      const publisher = h.streams().ephemeral<{ n: number }>('typing:1');
      expect((await publisher.publish({ n: 0 })).receivers).toBe(0); // nobody listens: gone
      const sub = topic.subscribe();
      await sub.ready();
      const resumed = topic.subscribe({ after: 'x1:1-0' });
      await publisher.publish({ n: 1 });
      await publisher.publish({ n: 2 });
      const got: unknown[] = [];
      for await (const ev of sub) {
        got.push(ev);
        if (got.length === 2) break;
      }
      expect(got).toEqual([
        { type: 'entry', entry: { position: null, time: expect.any(Number), data: { n: 1 } } },
        { type: 'entry', entry: { position: null, time: expect.any(Number), data: { n: 2 } } },
      ]);
      const first = await resumed.next();
      expect(first.value).toEqual({
        type: 'truncated',
        truncation: { reason: 'ephemeral', firstAvailable: null },
      });
      expect((await resumed.next()).value).toMatchObject({
        type: 'entry',
        entry: { data: { n: 1 } },
      });
      resumed.close();
      expect(await h.redis.exists(`${h.prefix}:{e:typing:1}:pubsub`)).toBe(0); // no key at all
    });
  });

  describe('lifetime', () => {
    it('expires an idle topic after its TTL; each publish refreshes it', async () => {
      const h = harness();
      const streams = h.streams();
      const topic = streams.topic<string>('run:1', { ttlMs: 400 });
      const { position } = await topic.publish('started');
      const ttl1 = (await topic.info()).ttlMs!;
      expect(ttl1).toBeGreaterThan(0);
      expect(ttl1).toBeLessThanOrEqual(400);
      await new Promise((r) => setTimeout(r, 200));
      await topic.publish('step');
      expect((await topic.info()).ttlMs!).toBeGreaterThan(ttl1 - 200 + 50);
      await waitFor(async () => !(await topic.info()).exists, 'expiry', 5000);
      for (const part of ['stream', 'meta', 'idem', 'idemz'])
        expect(await h.redis.exists(`${h.prefix}:{s:run:1}:${part}`)).toBe(0);
      const again = await topic.publish('restarted');
      expect(again.position.split(':')[0]).not.toBe(position.split(':')[0]);
      expect((await topic.range({ after: position })).truncated?.reason).toBe('epoch');
    });
  });
}
