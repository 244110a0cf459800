/**
 * Delay timer: the one timer that wakes a worker when the earliest delayed job falls due, so no
 * worker polls for delayed jobs. Re-armed after every fetch with the due time the script saw.
 */

/**
 * Node's longest timer (2^31 - 1 ms, ~24.8 days): a longer one fires after 1 ms instead, which
 * made an idle worker fetch in a tight loop while a job was delayed further than that.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class DelayTimer {
  private timer: NodeJS.Timeout | undefined;
  private target = -1;

  constructor(private readonly onDue: () => void) {}

  /**
   * Arms the timer for `nextDue` (ms, Redis clock; -1 = nothing delayed), given Redis's `now`.
   * Relative to Redis's clock, so the worker's own clock does not matter.
   */
  arm(now: number, nextDue: number): void {
    if (nextDue < 0) return this.stop();
    if (this.timer && this.target === nextDue) return;
    this.stop();
    this.target = nextDue;
    // +1 ms because Redis reports whole milliseconds. A due time beyond Node's timer range (or
    // not a number) waits the longest a timer can; the fetch it triggers then re-arms.
    const wait = Math.max(0, nextDue - now) + 1;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.target = -1;
        this.onDue();
      },
      wait <= MAX_TIMER_MS ? wait : MAX_TIMER_MS,
    );
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.target = -1;
  }
}
