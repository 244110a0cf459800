/**
 * Nothing outlives what opened it: closing a `Streams` closes its connections (command, Pub/Sub,
 * group fetchers), its subscriptions (ending pending `next()` calls) and consumers, removes the
 * listeners it put on callers' abort signals, and refuses new work from the moment it begins. A
 * topic's Pub/Sub channel is left when its last local subscriber goes.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClosedError, START } from '../../src/index.js';
import { redisUrl, waitFor } from '../harness/context.js';
import { StreamHarness, type Raw } from './helpers.js';

async function connectionsNamed(redis: Raw, name: string): Promise<number> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name}:`)).length;
}

async function subscribers(redis: Raw, channel: string): Promise<number> {
  const [, n] = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return n;
}

describe('lifecycle', () => {
  it('closes every connection, subscription and consumer it opened; close is idempotent', async () => {
    const h = new StreamHarness(redisUrl());
    const name = `life-${h.prefix}`;
    const streams = h.streams({ connectionName: name });
    const topic = streams.topic<number>('t');
    const ac = new AbortController();
    const subs = [
      topic.subscribe({ signal: ac.signal }),
      topic.subscribe({ after: START, signal: ac.signal }),
    ];
    const ephemeral = streams.ephemeral('e').subscribe({ signal: ac.signal });
    const consumer = topic.group('g').process(() => {}, { consumer: 'c', blockMs: 500 });
    await Promise.all([...subs.map((s) => s.ready()), ephemeral.ready(), consumer.ready()]);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(3);
    await waitFor(async () => (await connectionsNamed(h.redis, name)) === 3, 'cmd, live, group');

    const pending = subs[0]!.next();
    const closing = [streams.close(), streams.close()];
    expect(() => streams.topic('later')).toThrow(ClosedError); // nothing new once it began
    await Promise.all(closing);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(subs.map((s) => s.stats.mode)).toEqual(['closed', 'closed']);
    expect(await ephemeral.next()).toEqual({ value: undefined, done: true });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await waitFor(async () => (await connectionsNamed(h.redis, name)) === 0, 'all closed');
  });

  it('leaves a channel when its last local subscriber goes, and joins it again later', async () => {
    const h = new StreamHarness(redisUrl());
    const streams = h.streams();
    const topic = streams.topic<string>('chan');
    const live = `${h.prefix}:{s:chan}:live`;
    const ephemeralChannel = `${h.prefix}:{e:chan}:pubsub`;
    for (let round = 0; round < 3; round++) {
      const a = topic.subscribe();
      const b = topic.subscribe({ after: START });
      const e = streams.ephemeral('chan').subscribe();
      await Promise.all([a.ready(), b.ready(), e.ready()]);
      expect(await subscribers(h.redis, live)).toBe(1);
      expect(await subscribers(h.redis, ephemeralChannel)).toBe(1);
      await topic.publish(`round ${round}`);
      expect((await a.next()).value).toMatchObject({ entry: { data: `round ${round}` } });
      a.close();
      expect(await subscribers(h.redis, live)).toBe(1); // b still reads
      b.close();
      e.close();
      await waitFor(async () => (await subscribers(h.redis, live)) === 0, 'left the channel');
      await waitFor(async () => (await subscribers(h.redis, ephemeralChannel)) === 0, 'left');
      expect(streams.stats.liveTopics).toBe(0);
    }
  });
});
