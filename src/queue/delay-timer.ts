/**
 * Delay timer: the one timer that wakes a worker when the earliest delayed job falls due, so no
 * worker polls for delayed jobs. Re-armed after every fetch with the due time the script saw.
 */
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
    // +1 ms because Redis reports whole milliseconds.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.target = -1;
        this.onDue();
      },
      Math.max(0, nextDue - now) + 1,
    );
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.target = -1;
  }
}
