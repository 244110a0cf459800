/**
 * Live subscriptions survive what breaks Pub/Sub: the subscriber's connections killed with
 * CLIENT KILL (entries published while it was cut off come from the stream, none twice), a
 * notification that never arrives (the periodic tail check), entries too large to travel
 * inline, and a consumer too slow for its buffer.
 */
import { describe, expect, it } from 'vitest';
import { START } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { Collector, StreamHarness, assertNoGapNoDup, type Raw } from './helpers.js';

/** Kills every connection whose name starts with `name` (CLIENT LIST / CLIENT KILL ID). */
async function killConnections(redis: Raw, name: string): Promise<number> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=${name}:`))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
  for (const id of ids) await redis.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

describe('resume across broken connections', () => {
  it('delivers everything exactly once while its connections are killed during a publish run', async () => {
    const h = new StreamHarness(redisUrl());
    const name = `sub-${h.prefix}`;
    // No tail check: only the reconnect path can recover what Pub/Sub lost.
    const subscriber = h.streams({ connectionName: name, tailCheckMs: 3_600_000 });
    const producer = h.streams().topic<number>('chat');
    await producer.publishBulk(Array.from({ length: 100 }, (_, n) => ({ data: n })));
    const c = new Collector(
      subscriber.topic<number>('chat').subscribe({ after: START, pageSize: 30 }),
    );
    let n = 100;
    const run = (async () => {
      while (n < 700) {
        await producer.publish(n++);
        if (n % 7 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    for (const at of [150, 300, 450, 600]) {
      await waitFor(() => c.entries.length >= at, `${at} received`);
      expect(await killConnections(h.redis, name)).toBe(2);
    }
    await run;
    await c.waitForCount(700);
    assertNoGapNoDup(c.data, 0, 700);
    await c.stop();
  });

  it('gets the last entry published while its Pub/Sub connection was down', async () => {
    const h = new StreamHarness(redisUrl());
    const name = `tail-${h.prefix}`;
    const subscriber = h.streams({ connectionName: name, tailCheckMs: 3_600_000 });
    const producer = h.streams().topic<string>('quiet');
    const c = new Collector(subscriber.topic<string>('quiet').subscribe());
    await waitFor(() => c.sub.stats.mode === 'live', 'live');
    for (let round = 0; round < 5; round++) {
      expect(await killConnections(h.redis, name)).toBeGreaterThanOrEqual(1);
      await producer.publish(`while down ${round}`); // nothing follows it: no later gap to notice
      await c.waitForCount(round + 1);
    }
    expect(c.data).toEqual([0, 1, 2, 3, 4].map((r) => `while down ${r}`));
    await c.stop();
  });

  it('picks up an entry whose notification never came, by the periodic tail check', async () => {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams({ tailCheckMs: 100 }).topic<string>('silent');
    await topic.publish('first');
    const c = new Collector(topic.subscribe({ after: START }));
    await c.waitForCount(1);
    await waitFor(() => c.sub.stats.mode === 'live', 'live');
    // Appended behind Sluice's back: no Pub/Sub notification at all.
    await h.redis.xadd(`${h.prefix}:{s:silent}:stream`, '*', 'd', '"sneaked in"');
    await c.waitForCount(2);
    expect(c.data).toEqual(['first', 'sneaked in']);
    await c.stop();
  });

  it('reads entries too large to travel inline from the stream', async () => {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams().topic<string>('big', { maxPayloadBytes: 300_000 });
    const c = new Collector(topic.subscribe());
    await waitFor(() => c.sub.stats.mode === 'live', 'live');
    const big = 'x'.repeat(100_000);
    await topic.publish('small');
    await topic.publish(big);
    await topic.publish('small again');
    await c.waitForCount(3);
    expect(c.data.map((d) => d.length)).toEqual([5, 100_000, 11]);
    await c.stop();
  });

  it('bounds what it holds for a slow consumer and catches up from Redis without loss', async () => {
    const h = new StreamHarness(redisUrl());
    const topic = h.streams().topic<number>('slow');
    const sub = topic.subscribe({ maxBuffered: 10 });
    const first = sub.next();
    await waitFor(() => sub.stats.mode === 'live', 'live');
    for (let n = 0; n < 100; n++) await topic.publish(n);
    expect((await first).value).toMatchObject({ type: 'entry', entry: { data: 0 } });
    await waitFor(() => sub.stats.mode === 'catchup', 'fell back to reading Redis');
    expect(sub.stats.maxBuffered).toBeLessThanOrEqual(10);
    const rest: number[] = [];
    for await (const ev of sub) {
      if (ev.type === 'entry') rest.push(ev.entry.data);
      if (rest.length === 99) break;
    }
    assertNoGapNoDup(rest, 1, 100);
  });
});
