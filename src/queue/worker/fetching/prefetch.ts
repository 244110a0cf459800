/**
 * Bounded, adaptive prefetch: a worker whose handlers are short fetches jobs beyond its
 * `concurrency` and holds them until a slot frees, so one script call acks and refills many
 * jobs even at concurrency 1 (without it, each short job costs a round trip of its own).
 *
 * What a held job means (docs/guarantees.md, _Fetching_):
 * - **Lease**: it is leased to this worker from its fetch, like a running job, and renewed by
 *   the heartbeat; a worker killed while holding it loses it to the lease reaper as usual.
 * - **Fairness**: another worker cannot take it. The worker holds only what its handlers are
 *   expected to start within {@link PREFETCH_WINDOW_MS} (from the handlers' recent durations),
 *   so long jobs are never prefetched; and a job held {@link HOLD_LIMIT_MS} (a handler turned
 *   slow) is given back to the head of the queue with every other held job, at once.
 * - Its handler starts when a slot frees (the `active` event then); `concurrency` still bounds
 *   the handlers running at once.
 */

/** A held job is expected to start within this, or the worker does not prefetch it. */
export const PREFETCH_WINDOW_MS = 2;
/** A job held this long goes back to the queue, with every other held job. */
export const HOLD_LIMIT_MS = 50;
/** Weight of the newest handler duration in the running average. */
const WEIGHT = 0.1;

/** A held job: when it was put on hold. */
export interface Holdable {
  heldAt?: number;
}

export class Prefetch<T extends Holdable> {
  /** Average handler duration in ms; unknown (no prefetch) until one has been measured. */
  private avgMs = Infinity;
  private held: T[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param concurrency handlers that run at once
   * @param max most jobs held beyond them (0: no prefetch)
   * @param onOverdue takes the held jobs back when the oldest was held {@link HOLD_LIMIT_MS}
   */
  constructor(
    private readonly concurrency: number,
    private readonly max: number,
    private readonly onOverdue: (held: T[]) => void,
  ) {}

  /** Jobs the worker may hold beyond `concurrency` now. */
  allowance(): number {
    if (this.max === 0 || this.avgMs === Infinity) return 0;
    const fit = Math.floor((PREFETCH_WINDOW_MS * this.concurrency) / Math.max(this.avgMs, 1e-3));
    return Math.min(this.max, fit);
  }

  /** A handler ran `ms` (from its start to its outcome, or to its being taken away). */
  record(ms: number): void {
    this.avgMs = this.avgMs === Infinity ? ms : this.avgMs + WEIGHT * (ms - this.avgMs);
  }

  get length(): number {
    return this.held.length - this.head;
  }

  hold(job: T): void {
    job.heldAt = performance.now();
    this.held.push(job);
    this.timer ??= setTimeout(this.check, HOLD_LIMIT_MS).unref();
  }

  /** The next held job, oldest first. */
  next(): T | undefined {
    if (this.head === this.held.length) return undefined;
    const job = this.held[this.head++];
    if (this.head === this.held.length) this.clear();
    return job;
  }

  /** Every held job, oldest first; none is held after. */
  takeAll(): T[] {
    const jobs = this.held.slice(this.head);
    this.clear();
    return jobs;
  }

  /** Forgets the measured durations: no prefetch until a handler has been measured again. */
  reset(): void {
    this.avgMs = Infinity;
  }

  /** Stops the hold timer (the worker is closing). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private clear(): void {
    this.held = [];
    this.head = 0;
  }

  private readonly check = (): void => {
    this.timer = undefined;
    if (this.length === 0) return;
    const waited = performance.now() - (this.held[this.head]?.heldAt ?? 0);
    if (waited < HOLD_LIMIT_MS) {
      this.timer = setTimeout(this.check, HOLD_LIMIT_MS - waited).unref();
      return;
    }
    // The estimate was wrong (a handler turned slow): no prefetch until handlers are measured
    // short again.
    this.reset();
    this.onOverdue(this.takeAll());
  };
}
