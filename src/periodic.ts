/**
 * A background loop as a small component (heartbeats, reapers, tail checks): runs `tick` every `intervalMs` (never two ticks at
 * once), with `start()` / `stop()`. `stop()` waits for a running tick to finish.
 */
/**
 * @example
 * ```ts
 * const reaper = new PeriodicTask(5000, () => reapExpiredLeases(), (err) => log(err));
 * reaper.start();
 * await reaper.stop();
 * ```
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Runs a tick now (unless one is running), then keeps the schedule. */
  async runNow(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.tick()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runNow().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
