/**
 * A long backlog is delivered in pages with bounded memory, however far behind the subscriber
 * is; identical reads in flight at the same time are shared.
 */
import { describe, expect, it } from 'vitest';
import { START } from '../../src/index.js';
import { redisUrl } from '../harness/context.js';
import { StreamHarness, assertNoGapNoDup } from './helpers.js';

describe('backlog', () => {
  it('delivers a 100,000-entry backlog in pages, holding at most one page', async () => {
    const h = new StreamHarness(redisUrl());
    const streams = h.streams();
    const topic = streams.topic<number>('history');
    const N = 100_000;
    for (let i = 0; i < N; i += 1000)
      await topic.publishBulk(Array.from({ length: 1000 }, (_, k) => ({ data: i + k })));
    expect((await topic.info()).length).toBe(N);

    const sub = topic.subscribe({ after: START, pageSize: 500 });
    const got: number[] = [];
    let maxHeld = 0;
    for await (const ev of sub) {
      if (ev.type !== 'entry') throw new Error(`unexpected ${ev.type}`);
      got.push(ev.entry.data);
      maxHeld = Math.max(maxHeld, sub.stats.buffered);
      if (got.length === N) break;
    }
    assertNoGapNoDup(got, 0, N);
    expect(maxHeld).toBeLessThan(500);
    expect(sub.stats.maxBuffered).toBeLessThanOrEqual(500);
    expect(sub.stats.pagesRead).toBeGreaterThanOrEqual(N / 500);
  });

  it('shares identical concurrent backlog reads between subscribers', async () => {
    const h = new StreamHarness(redisUrl());
    const streams = h.streams();
    const topic = streams.topic<number>('popular');
    await topic.publishBulk(Array.from({ length: 2000 }, (_, n) => ({ data: n })));
    const before = streams.stats;
    const readers = Array.from({ length: 20 }, async () => {
      const got: number[] = [];
      for await (const ev of topic.subscribe({ after: START, pageSize: 100 })) {
        if (ev.type === 'entry') got.push(ev.entry.data);
        if (got.length === 2000) break;
      }
      return got;
    });
    for (const got of await Promise.all(readers)) assertNoGapNoDup(got, 0, 2000);
    const after = streams.stats;
    const reads = after.reads - before.reads;
    const shared = after.sharedReads - before.sharedReads;
    // Without sharing: 20 subscribers × 20 pages = 400 reads.
    expect(shared).toBeGreaterThanOrEqual(19);
    expect(reads).toBeLessThan(400);
    expect(reads + shared).toBeGreaterThanOrEqual(400);
  });
});
