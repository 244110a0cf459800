/**
 * A background loop as a small component: runs `tick` every `intervalMs` (never two at once),
 * with `start()` / `stop()`; `stop()` waits for a running tick.
 */
/**
 * A background loop (see the file notes).
 *
 * @example
 * ```ts
 * const tailCheck = new Periodic(5000, () => checkTails(), (err) => log(err));
 * tailCheck.start();
 * await tailCheck.stop();
 * ```
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Schedules the first tick (no-op if running). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Runs a tick now (or joins the running one). */
  runNow(): Promise<void> {
    this.running ??= this.tick()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops scheduling and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
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
