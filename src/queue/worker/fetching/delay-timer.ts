/**
 * Delay timer: the one timer that wakes a worker when the earliest delayed job falls due, so no
 * worker polls for delayed jobs. Re-armed after every fetch with the due time the script saw.
 *
 * It aims at the due time itself, not a ms past it: `now` comes with Redis's microseconds; a
 * Node timer (whole ms, and it can run up to a ms early or late) takes it to within a ms, and
 * the rest is checked on each turn of the event loop. Firing early would not start a job early
 * — the fetch script promotes only what is due by Redis's clock — but would cost a fetch that
 * finds nothing, and a ms more. The old `+1 ms` margin made every delayed job about a ms late.
 *
 * Where Redis's `now` falls on the local clock: a reply read it before it arrived, so
 * `now − arrival` is a lower bound of the offset (Redis − local), and the due time reckoned from
 * it is never early. One reply's bound is as loose as that reply was slow: it carried the rest of
 * its script, the way back, and any pause of this process before the reply was read (the
 * lateness of the arming reply was ~0.4 ms at the median of the delayed bench, and a GC pause
 * moved the timer by all of its length). So the timer keeps the tightest bound of the replies
 * of the last {@link OFFSET_KEEP_MS} (the fastest reply's), less what two clocks can drift
 * apart meanwhile. A fire that a reply shows came before the due time (Redis's clock stepped or
 * slewed back) drops the kept bound for the fresh one, so it costs one fetch, never a loop.
 */
import { performance } from 'node:perf_hooks';
import { PreciseTimer } from './precise-timer.js';

/** How long the tightest offset bound is kept (ms): a fresh reply's replaces it after that. */
export const OFFSET_KEEP_MS = 2000;
/**
 * Drift allowed between Redis's clock and the local one, ms per ms (a generous 100 ppm; a clock
 * slewed faster than that shows as a fire before the due time, which drops the bound).
 */
const DRIFT = 100e-6;

export class DelayTimer {
  private readonly timer = new PreciseTimer(() => this.fire());
  private target = -1;
  /** The tightest lower bound of (Redis − local) ms seen lately, and when (local ms). */
  private offset = Number.NEGATIVE_INFINITY;
  private offsetAt = 0;
  /** The target of the last fire, until a reply shows Redis's clock past it. */
  private firedFor = -1;

  constructor(private readonly onDue: () => void) {}

  /**
   * Arms the timer for `nextDue` (ms, Redis clock; -1 = nothing delayed), given Redis's `now`
   * (ms, fractional) of the reply that just arrived: every reply is a lower bound of where
   * Redis's clock is, so the local due time is never before the real one. Relative to Redis's
   * clock, so the worker's own clock does not matter.
   */
  arm(now: number, nextDue: number): void {
    const offset = this.observe(now);
    if (nextDue < 0) return this.stop();
    if (this.timer.armed && this.target === nextDue) return;
    this.target = nextDue;
    this.timer.set(nextDue - offset);
  }

  /**
   * Takes in one reply's Redis `now`; returns the offset bound to reckon with (see the file
   * notes). Taking the same reply in twice changes nothing.
   */
  observe(now: number): number {
    const local = performance.now();
    const seen = now - local;
    // fired before the due time by Redis's clock: the kept bound was too high
    const early = this.firedFor >= 0 && now < this.firedFor;
    if (now >= this.firedFor) this.firedFor = -1;
    const kept = this.bound(local);
    if (early || seen >= kept || local - this.offsetAt > OFFSET_KEEP_MS) {
      this.offset = seen;
      this.offsetAt = local;
      return seen;
    }
    return kept;
  }

  /**
   * The local monotonic time (ms) by which Redis's clock has surely reached `redisMs`, from the
   * bound the replies so far give (Infinity before the first).
   */
  localTime(redisMs: number): number {
    return redisMs - this.bound(performance.now());
  }

  /** The kept offset bound at local time `local`, less the drift since it was taken. */
  private bound(local: number): number {
    return this.offset - (local - this.offsetAt) * DRIFT;
  }

  stop(): void {
    this.timer.clear();
    this.target = -1;
  }

  private fire(): void {
    this.firedFor = this.target;
    this.target = -1;
    this.onDue();
  }
}
