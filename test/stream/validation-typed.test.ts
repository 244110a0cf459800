/**
 * Typed validation everywhere in streams (issue 7, items 3, 5, 6, 15): bounded durations, typed
 * errors for arguments of the wrong type, values with no JSON form refused, unknown option names
 * refused with our equivalent named.
 */
import { describe, expect, it } from 'vitest';
import { PayloadError, PositionError, Streams, ValidationError } from '../../src/index.js';
import { redisUrl } from '../harness/context.js';
import { StreamHarness } from './helpers.js';

async function invalid(fn: () => unknown): Promise<ValidationError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('SLC_ERR_INVALID_OPTIONS');
  return err as ValidationError;
}

const YEARS_100 = 100 * 365 * 86_400_000;

describe('stream durations are bounded (item 3)', () => {
  it('Streams, topics, feeds, groups and cursors refuse durations past their bound', async () => {
    const h = new StreamHarness(redisUrl());
    await invalid(() => h.streams({ tailCheckMs: 1e10 }));
    await invalid(() => h.streams({ retry: { maxDelayMs: 1e10 } }));
    await invalid(() => h.streams({ retry: { minDelayMs: 1e10 } }));
    const streams = h.streams();
    for (const opts of [
      { maxAgeMs: YEARS_100 },
      { ttlMs: YEARS_100 },
      { groupLiveMs: YEARS_100 },
      { idempotencyWindowMs: YEARS_100 },
      { maxPayloadBytes: 1e12 },
    ])
      expect((await invalid(() => streams.topic('t', opts))).problems).toHaveLength(1);
    await invalid(() => streams.feed('f', { partitions: 2, ttlMs: YEARS_100 }));
    await invalid(() => streams.cursors({ cursorTtlMs: YEARS_100 }));
    const group = streams.topic('t').group('g');
    for (const opts of [
      { claimIdleMs: 1e10 },
      { blockMs: 1e10 },
      { reclaimIntervalMs: 1e10 },
      { heartbeatMs: 1e10, claimIdleMs: 86_400_000 },
      { retryDelayMs: 1e10, claimIdleMs: 86_400_000 },
    ])
      await invalid(() => group.process(() => {}, opts));
    await invalid(() => streams.ping({ timeoutMs: 1e10 }));
    // The bounds themselves are fine.
    streams.topic('t', { ttlMs: 315_360_000_000, maxAgeMs: 315_360_000_000 });
  });
});

describe('stream arguments of the wrong type are typed errors (item 5)', () => {
  it('null options and arguments', async () => {
    const h = new StreamHarness(redisUrl());
    for (const options of [null, 5, true, []]) await invalid(() => new Streams(options as never));
    await invalid(() => new Streams({ connection: 123 as never }));
    await invalid(() => new Streams({ connection: null as never }));
    const streams = h.streams();
    await invalid(() => streams.topic('t', null as never));
    await invalid(() => streams.feed('f', null as never));
    await invalid(() => streams.ephemeral('e', null as never));
    await invalid(() => streams.cursors(null as never));
    const topic = streams.topic('t');
    await invalid(() => topic.publish(1, null as never));
    await invalid(() => topic.range(null as never));
    await invalid(() => topic.subscribe(null as never));
    await invalid(() => topic.subscribe({ signal: 'stop' as never }));
    await invalid(() => topic.group('g', null as never));
    await invalid(() => topic.group('g').process(() => {}, null as never));
    await invalid(() => topic.group('g').deadLetters(null as never));
    await invalid(() => streams.ephemeral('e').subscribe(null as never));
    await invalid(() => streams.cursors().unread('bob', null as never));
  });

  it('publishBulk with null, a string, {} or [null] appends nothing', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const topic = streams.topic<unknown>('bulk');
    for (const items of [null, 'items', {}, [null], [5], [{ data: 1 }, 'x']])
      await invalid(() => topic.publishBulk(items as never));
    expect((await topic.info()).exists).toBe(false);
  });

  it('data whose toJSON returns undefined, a function or a BigInt, or nested 20,000 deep', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const topic = streams.topic<unknown>('p');
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    for (const data of [
      { toJSON: () => undefined },
      { x: { toJSON: () => () => 1 } },
      { x: { toJSON: () => 1n } },
      deep,
    ]) {
      const err = await topic.publish(data).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadError);
      expect(err).toMatchObject({ code: 'SLC_ERR_PAYLOAD_NOT_SERIALISABLE' });
    }
    expect((await topic.info()).exists).toBe(false);
  });

  it('a position whose id parts do not fit 64 bits is SLC_ERR_INVALID_POSITION', async () => {
    const streams = new StreamHarness(redisUrl()).streams();
    const topic = streams.topic('t');
    await topic.publish('x');
    for (const after of ['abc:99999999999999999999-0', 'abc:0-18446744073709551616']) {
      const err = await topic.range({ after }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PositionError);
      expect(err).toMatchObject({ code: 'SLC_ERR_INVALID_POSITION' });
    }
    // The largest id is a valid position (of another epoch here, so reading starts over).
    const page = await topic.range({ after: 'abc:18446744073709551615-18446744073709551615' });
    expect(page.truncated?.reason).toBe('epoch');
  });
});

describe('stream bad input is not silently accepted (item 6)', () => {
  it('no-JSON values anywhere in the data, retry: "x", startAt: "middle"', async () => {
    const h = new StreamHarness(redisUrl());
    const streams = h.streams();
    const topic = streams.topic<unknown>('p');
    for (const data of [/x/, { e: new Error('x') }, [new Map()], { b: new Uint16Array(1) }]) {
      const err = await topic.publish(data).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SLC_ERR_PAYLOAD_NOT_SERIALISABLE' });
    }
    await expect(streams.ephemeral('e').publish({ s: new Set() })).rejects.toBeInstanceOf(
      PayloadError,
    );
    expect((await topic.info()).exists).toBe(false);
    const retry = await invalid(() => h.streams({ retry: 'x' as never }));
    expect(retry.problems).toEqual(['retry must be an object, got "x"']);
    const startAt = await invalid(() => topic.group('g', { startAt: 'middle' as never }));
    expect(startAt.problems).toEqual([`startAt must be 'beginning' or 'end', got "middle"`]);
    await invalid(() => new Streams({ connection: redisUrl(), prefix: {} as never }));
    await invalid(() => topic.group('g').deadLetters({ after: 5 as never }));
  });
});

describe('stream unknown option names are refused (item 15)', () => {
  it('lists every unknown name in one error, with our equivalent', async () => {
    const h = new StreamHarness(redisUrl());
    const both = await invalid(() => h.streams({ tailCheck: 5, retry: { retries: 3 } } as never));
    expect(both.problems).toEqual([
      'unknown option tailCheck',
      'unknown option retry.retries (use attempts)',
    ]);
    const streams = h.streams();
    const topic = await invalid(() => streams.topic('t', { maxlen: 10, ttl: 5 } as never));
    expect(topic.problems).toEqual([
      'unknown option maxlen (use maxLen)',
      'unknown option ttl (use ttlMs)',
    ]);
    const t = streams.topic('t');
    const process = await invalid(() =>
      t.group('g').process(() => {}, { minIdleTime: 5, concurrency: 0 } as never),
    );
    expect(process.problems).toEqual([
      'unknown option minIdleTime (use claimIdleMs)',
      'concurrency must be an integer >= 1, got 0',
    ]);
    await invalid(() => t.group('g', { from: '0' } as never));
    await invalid(() => t.range({ count: 5 } as never));
    await invalid(() => t.subscribe({ from: '0' } as never));
    await invalid(() => t.publish(1, { id: 'k' } as never));
    await invalid(() => t.publishBulk([{ data: 1, key: 'k' } as never]));
    await invalid(() => streams.feed('f', { partitions: 2, maxlen: 5 } as never));
    await invalid(() => streams.ephemeral('e', { durable: false } as never));
    await invalid(() => streams.cursors({ ttlMs: 5 } as never));
    expect((await t.info()).exists).toBe(false);
  });
});
