/**
 * A timer that fires at a local monotonic time (`performance.now()` ms), not up to a ms after
 * it. A Node timer waits whole ms and rounds up to the next tick of its ms clock, so it goes
 * for the whole ms just before the time, and the last stretch (under a ms) is checked on each
 * turn of the event loop instead. Used by the delay timer (the fetch at a due time) and by the
 * starts of jobs taken ahead of their due time.
 */
import { performance } from 'node:perf_hooks';

// Node's longest timer: a longer one fires after 1 ms instead, which made an idle worker fetch
// in a tight loop while a job was delayed further than that.
import { MAX_TIMER_MS } from '../../../timeout.js';

export class PreciseTimer {
  private timer: NodeJS.Timeout | undefined;
  /** The last stretch, shorter than a timer can wait: checked on each turn of the event loop. */
  private finishing: NodeJS.Immediate | undefined;
  private dueAt = 0;

  /**
   * `onFire` runs at the time set (never within `set`), or after the longest wait a Node timer
   * has (the caller re-sets).
   */
  constructor(private readonly onFire: () => void) {}

  /** Whether a time is set and has not fired. */
  get armed(): boolean {
    return this.timer !== undefined || this.finishing !== undefined;
  }

  /** Fires at `dueAt` (local monotonic ms), in place of any time set before. */
  set(dueAt: number): void {
    this.clear();
    this.dueAt = dueAt;
    this.schedule();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.finishing) clearImmediate(this.finishing);
    this.timer = undefined;
    this.finishing = undefined;
  }

  private schedule(): void {
    const wait = Math.floor(this.dueAt - performance.now());
    // A time beyond Node's timer range (or not a number) waits the longest a timer can, and
    // fires then: the caller re-sets from there.
    const capped = !(wait <= MAX_TIMER_MS);
    // under a ms left: a Node timer of 0 waits a whole ms (its least), so check each turn now
    if (!capped && wait <= 0) return this.finish();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (capped) return this.onFire();
        if (this.dueAt - performance.now() >= 1) return this.schedule();
        this.finish();
      },
      capped ? MAX_TIMER_MS : wait,
    );
  }

  /** Checks on the next turn of the event loop (never at once: the caller may be mid-reply). */
  private finish(): void {
    this.finishing = setImmediate(() => {
      this.finishing = undefined;
      if (performance.now() >= this.dueAt) this.onFire();
      else this.finish();
    });
  }
}
