/**
 * A producer-side reading of Redis's clock: the offset between the local monotonic clock and
 * Redis `TIME`, measured with one round trip (error ≤ half of it) and refreshed every 30 s.
 *
 * Why: calling `TIME` inside the `add` script costs more than the rest of a single add. Scripts
 * that set lease deadlines (fetch, complete, extend, reap) still call `TIME` themselves — once
 * per batch — so a worker's clock can never stretch a lease; only a job's created time and the
 * base of its delay come from here.
 */
import type { RedisClient } from './connection.js';

const REFRESH_MS = 30_000;

export class RedisClock {
  private offset = 0;
  private calibratedAt = Number.NEGATIVE_INFINITY;
  private calibrating: Promise<void> | undefined;

  constructor(private readonly client: RedisClient) {}

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

  private async calibrate(): Promise<void> {
    const sent = performance.now();
    const [sec, micro] = (await this.client.time()) as [string | number, string | number];
    const received = performance.now();
    const redisMs = Number(sec) * 1000 + Number(micro) / 1000;
    this.offset = redisMs - (sent + received) / 2;
    this.calibratedAt = received;
  }
}
