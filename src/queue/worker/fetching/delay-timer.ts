/**
 * Delay timer: the one timer that wakes a worker when the earliest delayed job falls due, so no
 * worker polls for delayed jobs. Re-armed after every fetch with the due time the script saw.
 *
 * It aims at the due time itself, not a ms past it: `now` comes with Redis's microseconds; a
 * Node timer (whole ms, and it can run up to a ms early or late) takes it to within a ms, and
 * the rest is checked on each turn of the event loop. Firing early would not start a job early
 * — the fetch script promotes only what is due by Redis's clock — but would cost a fetch that
 * finds nothing, and a ms more. The old `+1 ms` margin made every delayed job about a ms late.
 */
import { performance } from 'node:perf_hooks';

// Node's longest timer: a longer one fires after 1 ms instead, which made an idle worker fetch
// in a tight loop while a job was delayed further than that.
import { MAX_TIMER_MS } from '../../../timeout.js';

export class DelayTimer {
  private timer: NodeJS.Timeout | undefined;
  /** The last stretch, shorter than a timer can wait: checked on each turn of the event loop. */
  private finishing: NodeJS.Immediate | undefined;
  private target = -1;
  /** When (local monotonic ms) the target falls due. */
  private dueAt = 0;

  constructor(private readonly onDue: () => void) {}

  /**
   * Arms the timer for `nextDue` (ms, Redis clock; -1 = nothing delayed), given Redis's `now`
   * (ms, fractional: read when the reply arrived, so the local due time is never before the real
   * one). Relative to Redis's clock, so the worker's own clock does not matter.
   */
  arm(now: number, nextDue: number): void {
    if (nextDue < 0) return this.stop();
    if ((this.timer || this.finishing) && this.target === nextDue) return;
    this.stop();
    this.target = nextDue;
    this.dueAt = performance.now() + Math.max(0, nextDue - now);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.finishing) clearImmediate(this.finishing);
    this.timer = undefined;
    this.finishing = undefined;
    this.target = -1;
  }

  private schedule(): void {
    // A due time beyond Node's timer range (or not a number) waits the longest a timer can; the
    // fetch it triggers then re-arms.
    // A whole-ms timer aimed just before the due time; the last stretch (under a ms, which a
    // Node timer cannot wait: it rounds up to the next tick of its ms clock) is checked on each
    // turn of the event loop instead, so the fetch goes at the due time, not up to a ms after.
    const wait = Math.floor(this.dueAt - performance.now());
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        // a capped wait fetches instead, and re-arms from that
        if (wait > MAX_TIMER_MS) return this.fire();
        const left = this.dueAt - performance.now();
        if (left >= 1) return this.schedule();
        this.finish();
      },
      wait <= MAX_TIMER_MS ? Math.max(0, wait) : MAX_TIMER_MS,
    );
  }

  private finish(): void {
    if (performance.now() >= this.dueAt) return this.fire();
    this.finishing = setImmediate(() => {
      this.finishing = undefined;
      this.finish();
    });
  }

  private fire(): void {
    this.target = -1;
    this.onDue();
  }
}
