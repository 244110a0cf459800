/**
 * Jobs taken ahead of their due time (fetch.lua's `leaseAhead`): each is in hand, leased from
 * its due time, and its handler starts at that time by Redis's clock, not before. The fetch
 * that brings a delayed job so comes a ms before its due time rather than after it, so the job
 * starts as late as the one timer here is (see docs/guarantees.md, _Delayed jobs_).
 *
 * Never early: the local time a start waits for is reckoned from the lower bound of Redis's
 * clock the replies give (DelayTimer.localTime).
 */
import { performance } from 'node:perf_hooks';
import { PreciseTimer } from './precise-timer.js';

export class DueStarts<T> {
  /** Waiting starts, earliest first: local monotonic ms and the job. */
  private queue: { at: number; job: T }[] = [];
  private readonly timer = new PreciseTimer(() => this.fire());

  /** `start` runs each job at its time (the caller checks what became of it meanwhile). */
  constructor(private readonly start: (job: T) => void) {}

  /** Starts `job` at `at` (local monotonic ms). */
  add(at: number, job: T): void {
    const q = this.queue;
    // a reply brings its jobs in due order, after the earlier replies': mostly an append
    let i = q.length;
    while (i > 0 && q[i - 1]!.at > at) i--;
    q.splice(i, 0, { at, job });
    if (i === 0) this.timer.set(at);
  }

  /** Every job waiting for its time, earliest first; none waits after. */
  takeAll(): T[] {
    this.timer.clear();
    return this.queue.splice(0).map((d) => d.job);
  }

  private fire(): void {
    const now = performance.now();
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.at <= now) n++;
    const due = this.queue.splice(0, n);
    if (this.queue.length) this.timer.set(this.queue[0]!.at);
    for (const d of due) this.start(d.job);
  }
}
