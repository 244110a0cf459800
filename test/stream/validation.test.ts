/** Names, options, payloads and positions are checked up front, each with a typed error. */
import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  GroupNotFoundError,
  PayloadError,
  PositionError,
  SluiceError,
  START,
  ValidationError,
} from '../../src/index.js';
import { redisUrl } from '../harness/context.js';
import { StreamHarness } from './helpers.js';

function caught(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    return err as SluiceError;
  }
  throw new Error('expected a throw');
}

describe('validation', () => {
  it('a hole in publishBulk and a position with no string form are refused, typed', async () => {
    const topic = new StreamHarness(redisUrl()).streams().topic('holes');
    // eslint-disable-next-line no-sparse-arrays
    await expect(topic.publishBulk([, { data: 2 }] as never)).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
    expect((await topic.info()).exists).toBe(false);
    await expect(topic.range({ after: Object.create(null) as never })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_POSITION',
    });
  });

  it('rejects bad topic, group, consumer, user and client names with SLC_ERR_INVALID_NAME', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    for (const bad of ['', 'a b', '{tag}', 'x'.repeat(129), ':lead'])
      expect(caught(() => streams.topic(bad)).code).toBe('SLC_ERR_INVALID_NAME');
    const topic = streams.topic('ok.name:1');
    for (const bad of ['a:b', '', 'sp ace'])
      expect(caught(() => topic.group(bad))).toMatchObject({ code: 'SLC_ERR_INVALID_NAME' });
    expect(caught(() => topic.group('g').process(() => {}, { consumer: 'x:y' })).code).toBe(
      'SLC_ERR_INVALID_NAME',
    );
    const cursors = streams.cursors();
    await expect(cursors.get('a:b', 'c', 'ok')).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_NAME',
    });
    await expect(cursors.addUnread('u', 'bad topic')).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists every bad option in one SLC_ERR_INVALID_OPTIONS error', () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const err = caught(() =>
      streams.topic('t', {
        maxLen: -1,
        maxAgeMs: 1.5,
        ttlMs: 'x' as unknown as number,
        trimUnacked: 1 as unknown as boolean,
      }),
    ) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(err.problems).toHaveLength(4);
    expect(err.problems.join('\n')).toMatch(/maxLen[\s\S]*maxAgeMs[\s\S]*ttlMs[\s\S]*trimUnacked/);
    const group = streams.topic('t').group('g');
    const perr = caught(() =>
      group.process(() => {}, { concurrency: 0, claimIdleMs: 100, retryDelayMs: 500 }),
    ) as ValidationError;
    expect(perr.problems).toEqual([
      'concurrency must be an integer >= 1, got 0',
      'retryDelayMs must not exceed claimIdleMs',
    ]);
    expect(caught(() => streams.feed('f', { partitions: 0 })).code).toBe('SLC_ERR_INVALID_OPTIONS');
    const other = new StreamHarness(redisUrl()).streams();
    const foreign = other.feed('f', { partitions: 2 });
    expect(caught(() => streams.topic('t', { feed: foreign })).code).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
    expect(caught(() => new StreamHarness(redisUrl()).streams({ tailCheckMs: 0 })).code).toBe(
      'SLC_ERR_INVALID_OPTIONS',
    );
  });

  it('refuses payloads that are too large or not JSON, and appends nothing', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const topic = streams.topic<unknown>('p', { maxPayloadBytes: 100 });
    await expect(topic.publish('x'.repeat(200))).rejects.toMatchObject({
      code: 'SLC_ERR_PAYLOAD_TOO_LARGE',
    });
    await expect(topic.publish({ f: () => 1 })).rejects.toBeInstanceOf(PayloadError);
    await expect(
      topic.publishBulk([{ data: 'fine' }, { data: 'x'.repeat(200) }]),
    ).rejects.toMatchObject({ code: 'SLC_ERR_PAYLOAD_TOO_LARGE' });
    expect((await topic.info()).exists).toBe(false);
  });

  it('rejects malformed positions and limits', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const topic = streams.topic('t');
    await expect(topic.range({ after: '12-0' })).rejects.toBeInstanceOf(PositionError);
    expect(caught(() => topic.subscribe({ after: 'nope' })).code).toBe('SLC_ERR_INVALID_POSITION');
    await expect(topic.range({ limit: 0 })).rejects.toMatchObject({
      code: 'SLC_ERR_INVALID_OPTIONS',
    });
    await expect(topic.latest(10_001)).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports a missing group and a closed hub with their codes', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const err = await streams
      .topic('t')
      .group('nobody')
      .stats()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupNotFoundError);
    expect(err).toMatchObject({ code: 'SLC_ERR_GROUP_NOT_FOUND', status: 404, group: 'nobody' });
    const sub = streams.topic('t').subscribe();
    const pending = sub.next();
    await streams.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(caught(() => streams.topic('t'))).toBeInstanceOf(ClosedError);
    await expect(streams.ping()).rejects.toMatchObject({ code: 'SLC_ERR_CLOSED' });
  });

  it('types what Redis refuses: SLC_ERR_SCRIPT from a script, SLC_ERR_REDIS from a command', async () => {
    const h = new StreamHarness(redisUrl());
    const streams = h.streams();
    // Another program wrote a key of another type where a topic's stream belongs.
    await h.redis.set(`${h.prefix}:{s:taken}:stream`, 'not a stream');
    const topic = streams.topic('taken');
    const err = await topic.publish('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect(err).toMatchObject({ code: 'SLC_ERR_SCRIPT', status: 500 });
    expect((err as SluiceError).cause).toBeInstanceOf(Error);
    const sub = topic.subscribe({ after: START });
    await expect(sub.next()).rejects.toMatchObject({ code: 'SLC_ERR_SCRIPT' });
    expect(sub.stats.mode).toBe('closed');
    await h.redis.hset(`${h.prefix}:{u:bob}:cursor:phone:conv`, 'f', '1');
    await expect(streams.cursors().get('bob', 'phone', 'conv')).rejects.toMatchObject({
      code: 'SLC_ERR_REDIS',
    });
    const feed = streams.feed('f', { partitions: 2 });
    expect(caught(() => feed.partition(2))).toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
  });
});
