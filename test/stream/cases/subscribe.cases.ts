/**
 * Subscribe: the backlog in pages then live entries, the live-only start, one shared reader per
 * topic.
 */
import { describe, expect, it } from 'vitest';
import { START } from '../../../src/index.js';
import type { ConnectionOptions } from '../../../src/redis/connection.js';
import { waitFor } from '../../harness/context.js';
import { Collector, StreamHarness, assertNoGapNoDup } from '../helpers.js';

/** The subscribe cases. */
export function subscribeCases(connection: () => ConnectionOptions): void {
  const harness = () => new StreamHarness(connection());

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
}
