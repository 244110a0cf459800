/**
 * The producer's reading of Redis's clock: calibrated from the sample with the lowest round trip,
 * on a ready connection — so a cold start (connect time in the first round trip) does not skew
 * the delays of the next 30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Queue } from '../../src/index.js';
import {
  bestOffset,
  MAX_CLOCK_SAMPLES,
  MAX_KEEP_MS,
  RedisClock,
  type ClockSample,
} from '../../src/redis/clock.js';
import { uniquePrefix } from '../harness/context.js';
import { RedisServer } from '../harness/redis-server.js';

describe('bestOffset', () => {
  it('takes the offset of the sample with the lowest round trip, wherever it comes', () => {
    // True offset 1000; the slow samples read Redis early in their round trip (skewed).
    const samples: ClockSample[] = [
      { sent: 0, received: 40, redisMs: 1001 }, // rtt 40, midpoint says 981
      { sent: 50, received: 50.2, redisMs: 1050.1 }, // rtt 0.2, exact
      { sent: 60, received: 65, redisMs: 1061 }, // rtt 5, midpoint says 998.5
    ];
    expect(bestOffset(samples)).toBeCloseTo(1000, 6);
    expect(bestOffset([...samples].reverse())).toBeCloseTo(1000, 6);
    expect(bestOffset([samples[0]!])).toBeCloseTo(981, 6);
    expect(() => bestOffset([])).toThrow(RangeError);
  });

  it('RedisClock calibrates from its best sample: a slow first reading does not skew it', async () => {
    const TRUE_OFFSET = 5_000;
    // Readings with round trips of 30, 0.1 and 4 ms; each reads Redis at the start of its trip.
    const rtts = [30, 0.1, 4];
    let taken = 0;
    const clock = new RedisClock(async () => {
      const sent = 1000 + taken * 100;
      const rtt = rtts[taken++ % rtts.length]!;
      return { sent, received: sent + rtt, redisMs: sent + TRUE_OFFSET };
    });
    await clock.now();
    expect(taken).toBe(3);
    // Off by half the best round trip (0.05 ms), not by half the first one (15 ms).
    expect(clock.offsetMs).toBeCloseTo(TRUE_OFFSET - 0.05, 6);
  });

  it('peek: undefined before the first calibration, then the calibrated time with no sample', async () => {
    let taken = 0;
    const clock = new RedisClock(async () => {
      taken++;
      const t = performance.now();
      return { sent: t, received: t, redisMs: t + 7_000 };
    });
    expect(clock.peek()).toBeUndefined();
    expect(taken).toBe(0); // peek never calibrates on its own
    await clock.now();
    const before = taken;
    const t = clock.peek()!;
    expect(Math.abs(t - (performance.now() + 7_000))).toBeLessThan(50);
    expect(taken).toBe(before);
  });
});

describe('calibration on a loaded machine', () => {
  const TRUE_OFFSET = 5_000;
  /** A sampler whose round trips come from `rtts` (then repeat the last), each reading Redis at
   * the start of its trip, so a slow sample's midpoint is off by half its round trip. */
  function sampler(rtts: number[], clock = { t: 1_000 }) {
    let taken = 0;
    const sample = async (): Promise<ClockSample> => {
      const sent = (clock.t += 10);
      const r = rtts[Math.min(taken++, rtts.length - 1)]!;
      return { sent, received: sent + r, redisMs: sent + TRUE_OFFSET };
    };
    return { sample, taken: () => taken, clock };
  }

  it('samples on while every round trip is slow, and stops at a fast one', async () => {
    const slow = sampler([6]);
    await new RedisClock(slow.sample).calibrate();
    expect(slow.taken()).toBe(MAX_CLOCK_SAMPLES);
    const oneFast = sampler([6, 6, 6, 6, 0.2]);
    const clock = new RedisClock(oneFast.sample);
    await clock.calibrate();
    expect(oneFast.taken()).toBe(5);
    expect(clock.offsetMs).toBeCloseTo(TRUE_OFFSET - 0.1, 6);
  });

  it('a refresh whose readings are all slow keeps the precise offset it had', async () => {
    const s = sampler([0.2, 0.2, 0.2, 20]);
    const clock = new RedisClock(s.sample);
    await clock.calibrate();
    expect(clock.offsetMs).toBeCloseTo(TRUE_OFFSET - 0.1, 6);
    s.clock.t += 30_000; // the next refresh, every reading 20 ms: its midpoint says −10 ms
    await clock.calibrate();
    expect(clock.offsetMs).toBeCloseTo(TRUE_OFFSET - 0.1, 6);
  });

  it('a precise offset ages out: past the keep limit the fresh one wins', async () => {
    const s = sampler([0.2, 0.2, 0.2, 20]);
    const clock = new RedisClock(s.sample);
    await clock.calibrate();
    s.clock.t += MAX_KEEP_MS;
    await clock.calibrate();
    expect(clock.offsetMs).toBeCloseTo(TRUE_OFFSET - 10, 6);
  });
});

describe('calibration after a cold start', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Redis − local offset from the best of many samples on a warm connection (by hand). */
  async function trueOffset(redis: Redis): Promise<number> {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 30; i++) {
      const sent = performance.now();
      const [s, us] = await redis.time();
      const received = performance.now();
      const redisMs = Number(s) * 1000 + Number(us) / 1000;
      if (received - sent < best.rtt)
        best = { rtt: received - sent, offset: redisMs - (sent + received) / 2 };
    }
    return best.offset;
  }

  it('the offset after the first add is the warm offset, though connecting was slow', async () => {
    const admin = new Redis(server.url);
    try {
      // Opening the queue's connection takes ~150 ms (its ready check waits out the pause).
      await admin.call('CLIENT', 'PAUSE', 150, 'ALL');
      const queue = new Queue('cold', { connection: server.url, prefix: uniquePrefix() });
      try {
        await queue.add('x', 1);
        const offset = queue['clock']['offset'];
        expect(Math.abs(offset - (await trueOffset(admin)))).toBeLessThan(3);
      } finally {
        await queue.close();
      }
    } finally {
      admin.disconnect();
    }
  });
});
