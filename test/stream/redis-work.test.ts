/**
 * Work the stream scripts do inside Redis while a consumer group lags behind: measured as
 * Redis's own execution time per script call (SLOWLOG, on a server of this file's own), never
 * client wall-clock. The old scripts read or scanned every pending/held-back entry on each call.
 */
import { describe, expect, it } from 'vitest';
import { deadLetterKey, topicKeys } from '../../src/redis/keys.js';
import { script } from '../../src/redis/scripts.js';
import { usePrivateRedis } from '../harness/private-redis.js';
import { leastScriptTimeUs } from '../harness/redis-time.js';
import { StreamHarness } from './helpers.js';

const priv = usePrivateRedis();

/** Appends `n` entries straight to the stream (the setup, not what is measured). */
async function fill(stream: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const p = priv.raw.pipeline();
    for (let j = i; j < Math.min(n, i + 10_000); j++) p.xadd(stream, '*', 'd', String(j));
    await p.exec();
  }
}

describe('stream scripts do bounded work while a group lags', () => {
  it('publish reads nothing to trim while a live group holds the oldest entry back', async () => {
    const h = new StreamHarness(priv.server.url);
    const topic = h.streams().topic<number>('held', { maxLen: 100 });
    await topic.group('slow').create();
    const k = topicKeys(h.prefix, 'held');
    await fill(k.stream, 20_000);
    // The group holds the oldest entries (pending on a consumer that has not acked them).
    await priv.raw.xreadgroup('GROUP', 'slow', 'c1', 'COUNT', 10, 'STREAMS', k.stream, '>');

    // Old code: a 10,000-entry XRANGE on every publish (~10 ms of Redis time each).
    const us = await leastScriptTimeUs(priv.raw, 5, (i) => topic.publish(i));
    expect(us).toBeLessThan(1_000);
    expect(await priv.raw.xlen(k.stream)).toBe(20_005); // nothing the group needs was trimmed

    // Once the group acks, the next publish trims up to its new floor (and no further).
    const oldest = (await priv.raw.xrange(k.stream, '-', '+', 'COUNT', 11)).map((e) => e[0]);
    await priv.raw.xack(k.stream, 'slow', ...oldest.slice(0, 10));
    await priv.raw.xreadgroup('GROUP', 'slow', 'c1', 'COUNT', 4_990, 'STREAMS', k.stream, '>');
    await topic.publish(-1);
    expect((await priv.raw.xrange(k.stream, '-', '+', 'COUNT', 1))[0]![0]).toBe(oldest[10]);
    expect(await priv.raw.xlen(k.stream)).toBe(20_006 - 10);
  });

  it('a reclaim pass with many entries pending and none idle looks at a bounded number', async () => {
    const h = new StreamHarness(priv.server.url);
    const topic = h.streams().topic<number>('busy');
    await topic.group('g').create();
    const k = topicKeys(h.prefix, 'busy');
    await fill(k.stream, 200_000);
    await priv.raw.xreadgroup('GROUP', 'g', 'owner', 'COUNT', 200_000, 'STREAMS', k.stream, '>');

    const reclaim = script(priv.raw, 'stream_group_reclaim');
    const keys = [k.stream, k.meta, k.errors, deadLetterKey(k, 'g')];
    // Old code: XPENDING … IDLE scans all 200,000 pending entries (~14 ms of Redis time).
    const us = await leastScriptTimeUs(priv.raw, 5, () =>
      reclaim(keys, ['g', 'other', 60_000, 10, 5, 0, '0']),
    );
    expect(us).toBeLessThan(1_000);
    expect(((await priv.raw.xpending(k.stream, 'g')) as unknown[])[0]).toBe(200_000);
    // Each call looked at 10 × count entries, going on from the last: five calls, 500 entries.
    const looked = await priv.raw.xrange(k.stream, '-', '+', 'COUNT', 500);
    expect(await priv.raw.hget(k.meta, 'rc:g')).toBe(looked[499]![0]);
  });
});
