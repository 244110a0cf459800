/**
 * Topics: order under concurrent publishers, exclusive ranges, idempotency, truncation by length
 * and by age, and epochs.
 */
import { describe, expect, it } from 'vitest';
import { START, type Position, type StreamEntry } from '../../../src/index.js';
import type { ConnectionOptions } from '../../../src/redis/connection.js';
import { Collector, StreamHarness } from '../helpers.js';

/** The topic cases. */
export function topicsCases(connection: () => ConnectionOptions): void {
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

    it('appends again with a key past its window, however many keys expired at once', async () => {
      const h = harness();
      const topic = h.streams().topic<number>('many-keys', { idempotencyWindowMs: 200 });
      // 150 keys expire together: more than one publish cleans up (it forgets at most ~100).
      const keys = Array.from({ length: 150 }, (_, n) => `key-${String(n).padStart(3, '0')}`);
      const first = await topic.publishBulk(keys.map((k, n) => ({ data: n, idempotencyKey: k })));
      expect(first.every((r) => !r.duplicate)).toBe(true);
      const within = await topic.publish(-1, { idempotencyKey: 'key-149' });
      expect(within).toEqual({ position: first[149]!.position, duplicate: true });
      await new Promise((r) => setTimeout(r, 300));
      // The lexically last key is the one the bounded clean-up reaches last.
      const after = await topic.publish(149, { idempotencyKey: 'key-149' });
      expect(after.duplicate).toBe(false);
      expect(after.position).not.toBe(first[149]!.position);
      const again = await topic.publish(0, { idempotencyKey: 'key-149' });
      expect(again).toEqual({ position: after.position, duplicate: true });
      expect((await topic.info()).length).toBe(151);
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
}
