/**
 * Worker: takes jobs of one queue under lease and runs them with a handler.
 *
 * One loop (`FetchLoop`) does all fetching: it sends the acks of finished jobs and asks for as
 * many new jobs as there are free slots (and, while handlers are short, a bounded prefetch
 * beyond them: `worker/fetching/prefetch.ts`), one script call each time, up to three in flight.
 * When the queue is empty it blocks on Redis (see `WakeListener`; the wake-up brings its jobs)
 * and arms a timer for the earliest delayed job. Background components (heartbeat, lease
 * reaper, retention janitor) run beside it.
 *
 * @example
 * ```ts
 * const worker = new Worker('emails', async (job) => sendMail(job.data), {
 *   concurrency: 10,
 *   retry: { maxAttempts: 5, backoff: { type: 'exponential', baseMs: 30_000, factor: 1.5 } },
 * });
 * worker.on('failed', (job, err) => log.warn({ id: job.id, err }, 'dead letter'));
 * // … later
 * await worker.close(10_000);
 * ```
 */
import { performance } from 'node:perf_hooks';
import { JobCancelledError, LeaseLostError, SluiceError } from '../errors.js';
import type { LeasedJob } from './commands/commands.js';
import { Job, tokenStart } from './job.js';
import { serialisePayload } from '../validate.js';
import { abortRunning, contextOf } from './worker/job-context.js';
import type { BatchWorkerOptions, WorkerOptions } from './worker-options.js';
import { BatchRun, type BatchProcessor } from './batch.js';
import { timeoutOf, watchTimeout } from './worker/job-timeout.js';
import { JobReporter } from './worker/job-reporter.js';
import { traceAttempt } from '../telemetry.js';
import { recordAttemptFailure } from './worker/failure.js';
import { isRateLimit, type PendingAck, type Processor, type Running } from './worker/types.js';

import { WorkerCore } from './worker-core.js';
import { DueStarts } from './worker/fetching/due-starts.js';

export type { WorkerOptions, BatchWorkerOptions } from './worker-options.js';
export type { BatchContext, BatchOptions, BatchProcessor } from './batch.js';

export type { JobContext } from './worker/job-context.js';
export type { Processor, WorkerEvents } from './worker/types.js';

export class Worker<Data = unknown, Result = unknown> extends WorkerCore<Data, Result> {
  /** Jobs taken ahead of their due time, until then (worker/fetching/due-starts.ts). */
  private readonly dueStarts = new DueStarts<Running<Data, Result>>((r) => this.startDue(r));
  /**
   * A worker whose handler takes up to `batch.size` jobs per call and reports each job's outcome
   * (see {@link BatchProcessor}); `concurrency` counts batches running at once.
   * @example
   * ```ts
   * new Worker<Note>('search-index', async (notes, ctx) => {
   *   const res = await index.bulk(notes.map((n) => n.data));
   *   notes.forEach((n, i) => res[i].error && ctx.fail(n, new Error(res[i].error)));
   * }, { batch: { size: 50, maxWaitMs: 200 } }); // unreported notes complete
   * ```
   */
  constructor(name: string, processor: BatchProcessor<Data, Result>, options: BatchWorkerOptions);
  /** A worker that runs one job per handler call. `options` may be just a connection URL. */
  constructor(name: string, processor: Processor<Data, Result>, options?: WorkerOptions | string);
  constructor(
    name: string,
    processor: Processor<Data, Result> | BatchProcessor<Data, Result>,
    options: WorkerOptions | BatchWorkerOptions | string = {},
  ) {
    super(name, processor, options);
  }

  protected settleAcks(acks: PendingAck<Data, Result>[], stale: string[], now: number): void {
    const lost = stale.length ? new Set(stale) : undefined;
    // the updated copy of each job is made only for someone to hear it
    const heard = this.listenerCount('completed') > 0;
    for (const a of acks) {
      if (lost?.has(a.id)) this.notify('lease-lost', a.id);
      else if (heard) {
        const job = a.job.attemptEnded(now, { completed: true, value: a.value });
        this.notify('completed', job, a.value);
      }
    }
  }

  protected startJob(leased: LeasedJob): void {
    const started = tokenStart(leased.token);
    const job = new Job<Data, Result>({
      id: leased.id,
      queueName: this.name,
      record: leased.record,
      info: leased.info,
      state: 'active',
      started,
    });
    const running: Running<Data, Result> = {
      job,
      token: leased.token,
      controller: undefined,
      abortReason: undefined,
      released: false,
    };
    this.inFlight.set(job.id, running);
    job.reporter = new JobReporter(this.commands, job.id, leased.token);
    this.busySinceDrained = true;
    // Leased and renewed from now on; the handler sees it when its batch is formed, or (held
    // beyond `concurrency`, see worker/fetching/prefetch.ts) when a slot frees.
    if (this.collector) return this.collector.add(running);
    // Taken ahead of its due time (its attempt starts then): the handler waits for it. Only a
    // token that starts after its reply's time can be one (compared as text, digits of equal
    // length: no number to parse for the jobs of a busy queue).
    const r = this.replyMs;
    if (
      started !== undefined &&
      (started.length > r.length || (started.length === r.length && started > r))
    ) {
      const at = this.delayTimer.localTime(Number(started));
      if (at > performance.now()) return this.dueStarts.add(at, running);
    }
    if (this.handlers >= this.concurrency) return this.prefetch.hold(running);
    this.invoke(running);
  }

  /** A job taken ahead is due: its handler starts (unless taken away meanwhile). */
  private startDue(running: Running<Data, Result>): void {
    // cancelled or its lease lost: untracked already (untrack again is a no-op)
    if (running.released) return this.untrack(running);
    if (this.handlers < this.concurrency) return this.invoke(running);
    // no slot: held for the next one, or (closing) given back, now that it is due
    if (this.closing) void this.handBack.held([running]);
    else this.prefetch.hold(running);
  }

  /** Starts a held job's handler per free slot (skipping those taken away while held). */
  protected startHeld(): void {
    // closing: held jobs go back to the queue instead (see shutdown)
    while (this.handlers < this.concurrency && !this.closing) {
      const next = this.prefetch.next();
      if (!next) return;
      if (next.released)
        this.untrack(next); // its lease was lost (a cancel untracked it already)
      else this.invoke(next);
    }
  }

  /** Runs the handler of a job in hand. */
  protected invoke(running: Running<Data, Result>): void {
    const job = running.job;
    this.handlers++;
    running.invokedAt = performance.now();
    if (this.listenerCount('active') > 0) this.notify('active', job);
    const timeoutMs = timeoutOf(job, this.timeoutMs);
    if (timeoutMs)
      running.stopTimer = watchTimeout(job.id, timeoutMs, (e) => this.fence(running, e));
    let result: Promise<Result>;
    try {
      result = Promise.resolve(
        traceAttempt(this.name, job, () => this.processor!(job, contextOf(running))),
      );
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => this.onSucceeded(running, value),
      (err: unknown) => void this.onFailed(running, err),
    );
  }

  protected startBatch(members: Running<Data, Result>[]): void {
    this.batchesRunning++;
    for (const m of members) this.notify('active', m.job);
    new BatchRun<Data, Result>(members).start<Running<Data, Result>>(this.batchProcessor!, {
      succeeded: (m, value) => this.onSucceeded(m, value as Result),
      failed: (m, err) => void this.onFailed(m, err),
      ended: () => {
        this.batchesRunning--;
        this.pump();
      },
    });
    this.pump(); // another batch slot may be free: start forming the next batch
  }

  protected onSucceeded(running: Running<Data, Result>, value: Result): void {
    running.stopTimer?.();
    let result = '';
    if (value !== undefined) {
      try {
        result = serialisePayload(value, this.maxResultBytes, 'return value');
      } catch (err) {
        void this.onFailed(running, err);
        return;
      }
    }
    this.untrack(running);
    const ack = { id: running.job.id, token: running.token, result, job: running.job, value };
    if (!running.released) this.acks.push(ack);
    // A late result of a job taken from its handler goes to Redis after the failure, to be
    // rejected there by its token (reported as 'lease-lost'), never recorded.
    else if (running.fenced) void running.fenced.then(() => (this.acks.push(ack), this.pump()));
    this.pump();
  }

  /** Forgets a running job (unless its id now belongs to a newer attempt on this worker). */
  protected untrack(running: Running<Data, Result>): void {
    if (this.inFlight.get(running.job.id) === running) this.inFlight.delete(running.job.id);
    if (running.invokedAt === undefined) return;
    // its slot is free: measured for the prefetch, and given to the next held job
    this.prefetch.record(performance.now() - running.invokedAt);
    running.invokedAt = undefined;
    this.handlers--;
    if (this.prefetch.length) this.startHeld();
  }

  /**
   * Takes a running job from its handler (timeout, cancel): no more renewal, the signal fires,
   * and the attempt is recorded as failed now (with `reason`) whatever the handler does next.
   * Its slot is free at once, so a handler that ignores the signal cannot hold the worker up.
   */
  protected fence(running: Running<Data, Result>, reason: SluiceError): void {
    if (running.released) return;
    running.released = true;
    running.stopTimer?.();
    abortRunning(running, reason);
    running.batch?.noteReleased(reason);
    this.untrack(running);
    running.fenced = this.recordFailure(running.job, running.token, reason, false);
    void running.fenced.then(() => this.pump());
  }

  /** A cancel of a job this worker may hold (channel message or heartbeat). */
  protected onCancel(id: string): void {
    const running = this.inFlight.get(id);
    if (running) this.fence(running, new JobCancelledError(id));
  }

  protected async onFailed(running: Running<Data, Result>, err: unknown): Promise<void> {
    running.stopTimer?.();
    try {
      if (running.released) {
        // its outcome is no longer ours to record
      } else if (isRateLimit(err)) {
        const applied = await this.commands.rateLimit(running.job.id, running.token, err.delayMs);
        if (applied) {
          this.notify('limited', running.job, err.delayMs);
          // The queue (or the job's group) is held back: the jobs held here must not run
          // meanwhile (each would call the provider that just said "slow down"). They go back
          // in order, and nothing more is prefetched until handlers measure short again.
          this.prefetch.reset();
          // (a job taken ahead of its due time goes back to `delayed`: release.lua)
          void this.handBack.held([...this.prefetch.takeAll(), ...this.dueStarts.takeAll()]);
        } else this.notify('lease-lost', running.job.id);
      } else await this.recordFailure(running.job, running.token, err, false);
    } catch (bug) {
      // Nobody awaits this path: anything escaping here would end the process.
      this.reportError(bug);
    }
    this.untrack(running);
    this.pump();
  }

  /** A job that stalled too often: record the stall as a failed attempt (retry policy applies). */
  protected async failTakenOver(leased: LeasedJob): Promise<void> {
    const job = new Job<Data, Result>({
      id: leased.id,
      queueName: this.name,
      record: leased.record,
      info: leased.info,
      started: tokenStart(leased.token),
    });
    const err = new Error(`job stalled ${job.stalls} times (lease expired); limit is exceeded`);
    await this.recordFailure(job, leased.token, err, true);
  }

  protected async recordFailure(
    job: Job<Data, Result>,
    token: string,
    err: unknown,
    stalled: boolean,
  ): Promise<void> {
    this.failing++;
    try {
      await recordAttemptFailure(this.outcomes, job, token, err, stalled);
    } finally {
      this.failing--;
      this.checkIdle();
    }
  }

  protected onLeaseLost(id: string): void {
    const running = this.inFlight.get(id);
    if (!running || running.released) return;
    running.released = true; // reported once; no renewal, no ack
    const reason = new LeaseLostError(id);
    abortRunning(running, reason);
    running.batch?.noteReleased(reason);
    this.notify('lease-lost', id);
    // one whose handler has not started (taken ahead, or held) frees its slot now
    if (running.invokedAt === undefined && !this.collector) {
      this.untrack(running);
      this.pump();
    }
  }
}
