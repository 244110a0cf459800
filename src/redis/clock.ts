/**
 * A producer-side reading of Redis's clock: the offset between the local monotonic clock and
 * Redis `TIME`, refreshed every 30 s. Each calibration takes a few samples back to back and keeps
 * the one with the lowest round trip (its error is at most half of that round trip).
 *
 * Why: calling `TIME` inside the `add` script costs more than the rest of a single add. Scripts
 * that set lease deadlines (fetch, complete, extend, reap) still call `TIME` themselves — once
 * per batch — so a worker's clock can never stretch a lease; only a job's created time and the
 * base of its delay come from here.
 *
 * Samples are taken on a ready connection ({@link timeSampler}: the send time is read when
 * `TIME` is actually sent, after the connection opened): a sample whose round trip included
 * opening the connection would skew every delay of the next 30 s by up to half the connect
 * time. The best-of-N rule guards against a slow sample too.
 */
import { performance } from 'node:perf_hooks';
import type { CommandConnection } from './command-connection.js';

const REFRESH_MS = 30_000;
/** Samples per calibration. */
export const CLOCK_SAMPLES = 3;

/** One reading of `TIME`: local send and receive times and Redis's time, all ms. */
export interface ClockSample {
  sent: number;
  received: number;
  redisMs: number;
}

/**
 * The offset (Redis ms − local monotonic ms) from the sample with the lowest round trip, taking
 * Redis's reading to be at the middle of that round trip.
 *
 * @example
 * ```ts
 * bestOffset([{ sent: 0, received: 4, redisMs: 1002 }, { sent: 10, received: 10.2, redisMs: 1010.1 }]); // 1000
 * ```
 */
export function bestOffset(samples: readonly ClockSample[]): number {
  let best: ClockSample | undefined;
  for (const s of samples) if (!best || s.received - s.sent < best.received - best.sent) best = s;
  if (!best) throw new RangeError('bestOffset needs at least one sample');
  return best.redisMs - (best.sent + best.received) / 2;
}

/** Takes one {@link ClockSample}. */
export type TimeSampler = () => Promise<ClockSample>;

/**
 * Samples `TIME` on `conn`: the call waits for a ready connection (see {@link CommandConnection})
 * and the send time is read only then, so connecting is never inside the round trip.
 *
 * @example
 * ```ts
 * const clock = new RedisClock(timeSampler(conn));
 * ```
 */
export function timeSampler(conn: Pick<CommandConnection, 'run'>): TimeSampler {
  return async () => {
    let sent = 0;
    const [sec, micro] = (await conn.run((c) => {
      sent = performance.now();
      return c.time();
    }, 'TIME')) as [string | number, string | number];
    const received = performance.now();
    return { sent, received, redisMs: Number(sec) * 1000 + Number(micro) / 1000 };
  };
}

/** Redis's clock as seen from this process (see the file notes). */
export class RedisClock {
  private offset = 0;
  private calibratedAt = Number.NEGATIVE_INFINITY;
  private calibrating: Promise<void> | undefined;

  constructor(private readonly sample: TimeSampler) {}

  /** Redis's current time in ms (calibrating first if never done; refreshing in the background). */
  async now(): Promise<number> {
    const local = performance.now();
    if (local - this.calibratedAt > REFRESH_MS) {
      const run = (this.calibrating ??= this.calibrate().finally(
        () => (this.calibrating = undefined),
      ));
      if (this.calibratedAt === Number.NEGATIVE_INFINITY) await run;
      else run.catch(() => {}); // a failed refresh keeps the last offset
    }
    return Math.round(performance.now() + this.offset);
  }

  /** The current offset, Redis ms − local monotonic ms (0 before the first calibration). */
  get offsetMs(): number {
    return this.offset;
  }

  private async calibrate(): Promise<void> {
    const samples: ClockSample[] = [];
    for (let i = 0; i < CLOCK_SAMPLES; i++) samples.push(await this.sample());
    this.offset = bestOffset(samples);
    this.calibratedAt = samples[samples.length - 1]!.received;
  }
}
