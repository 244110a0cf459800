/**
 * A group handler may throw anything: each odd value must count as a failed delivery with a
 * readable error (and dead-letter after maxDeliveries), never escape as an unhandled rejection.
 */
import { expect, it } from 'vitest';
import { redisUrl, waitFor } from '../harness/context.js';
import { ODD_THROWS } from '../fixtures/odd-throws.js';
import { FAST_GROUP } from './cases/fast.js';
import { StreamHarness } from './helpers.js';

it('a group handler that throws odd values dead-letters each entry with a readable error', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams().topic<number>('odd');
    const group = topic.group('g');
    const p = group.process(
      (entry) => {
        throw ODD_THROWS[entry.data]![1]();
      },
      { ...FAST_GROUP, consumer: 'c', maxDeliveries: 2, retryDelayMs: 0, claimIdleMs: 300 },
    );
    p.on('error', () => {});
    await p.ready();
    await topic.publishBulk(ODD_THROWS.map((_, i) => ({ data: i })));
    await waitFor(
      async () => (await group.stats()).deadLetters === ODD_THROWS.length,
      'every entry dead-lettered',
      20_000,
    );
    const dead = await group.deadLetters({ limit: 100 });
    expect(dead).toHaveLength(ODD_THROWS.length);
    for (const dl of dead) {
      const [label, make, message] = ODD_THROWS[dl.data as number]!;
      const value = make();
      const isObject = typeof value === 'object' && value !== null;
      expect(dl.deliveries, label).toBe(2);
      if (typeof message === 'string')
        expect(dl.error, label).toBe(isObject ? `Error: ${message}` : message);
      else expect(dl.error, label).toMatch(message);
    }
    expect(await group.stats()).toMatchObject({ pending: 0, lag: 0 });
    expect(unhandled).toEqual([]);
    await p.close();
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
