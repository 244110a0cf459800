/**
 * The fan-in feed, cursors and unread counts, ephemeral topics, and TTL expiry.
 */
import { describe, expect, it } from 'vitest';
import type { FeedPointer } from '../../../src/index.js';
import type { ConnectionOptions } from '../../../src/redis/connection.js';
import { waitFor } from '../../harness/context.js';
import { StreamHarness, assertNoGapNoDup } from '../helpers.js';
import { FAST_GROUP } from './fast.js';

/** The feed, cursor, ephemeral and lifetime cases. */
export function extrasCases(connection: () => ConnectionOptions): void {
  const harness = () => new StreamHarness(connection());

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
      // a topic named like an object's own machinery is counted like any other
      await cursors.addUnread('bob', '__proto__', 2);
      expect(Object.entries(await cursors.unread('bob', ['__proto__']))).toEqual([
        ['__proto__', 2],
      ]);
      expect(await cursors.get('bob', 'laptop', 'conv:9')).toBe(p[3]);
      const missed = await cursors.missed(topic, 'bob', 'phone');
      expect(missed.entries.map((e) => e.data)).toEqual(['c', 'd']);
      // a made-up position from the future would hold the cursor ahead of every entry to come
      const epoch = p[0]!.slice(0, p[0]!.indexOf(':'));
      for (const ahead of [`${epoch}:99999999999999-0`, `${epoch}:18446744073709551615-0`])
        await expect(cursors.set('bob', 'phone', 'conv:9', ahead)).rejects.toMatchObject({
          code: 'SLC_ERR_INVALID_POSITION',
        });
      expect(await cursors.get('bob', 'phone', 'conv:9')).toBe(p[1]);

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
      // both expire (the unread count a few ms after the cursor: it was written after it)
      await waitFor(
        async () =>
          (await short.get('amy', 'web', 'conv:9')) === null &&
          (await short.unread('amy', ['conv:9']))['conv:9'] === 0,
        'expiry',
      );
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

    it('delivers one publisher’s messages in the order it published them', async () => {
      const h = harness();
      const sub = h.streams().ephemeral<number>('ticks').subscribe();
      await sub.ready();
      const publisher = h.streams().ephemeral<number>('ticks');
      // On Cluster a plain PUBLISH would leave from a random node each time and could overtake.
      for (let n = 0; n < 60; n++) await publisher.publish(n);
      const got: number[] = [];
      for await (const ev of sub) {
        if (ev.type === 'entry') got.push(ev.entry.data);
        if (got.length === 60) break;
      }
      assertNoGapNoDup(got, 0, 60);
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

    it('keeps a group’s dead letters as long as the topic lives, and drops them with it', async () => {
      const h = harness();
      const topic = h.streams().topic<string>('run:dl', { ttlMs: 1000 });
      const group = topic.group('g');
      const p = group.process(
        (entry) => {
          if (entry.data === 'bad') throw new Error('bad entry');
        },
        { ...FAST_GROUP, consumer: 'c', maxDeliveries: 1, claimIdleMs: 300 },
      );
      await p.ready();
      await topic.publish('bad');
      await waitFor(async () => (await group.stats()).deadLetters === 1, 'dead letter');
      // Publishes keep the topic alive well past the TTL the dead letter first got.
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await topic.publish('ok');
      }
      expect((await group.stats()).deadLetters).toBe(1);
      const dlq = `${h.prefix}:{s:run:dl}:dlq:g`;
      const [topicTtl, dlqTtl] = [await h.redis.pttl(topic.keys.stream), await h.redis.pttl(dlq)];
      expect(dlqTtl).toBeGreaterThan(0);
      expect(dlqTtl).toBeLessThanOrEqual(topicTtl);
      await p.close();
      await waitFor(async () => !(await topic.info()).exists, 'topic expired', 5000);
      expect(await h.redis.exists(dlq)).toBe(0);
    });
  });
}
