/**
 * Batch handlers: a Worker with `batch: { size, maxWaitMs }` collects up to `size` leased jobs
 * (waiting at most `maxWaitMs` after the first) and hands them to one handler call, which
 * reports each job's outcome. Leases, fencing and the retry policy stay per job: each job is
 * renewed, acked and failed on its own, exactly as a job of a one-at-a-time handler.
 *
 * Why `ctx.complete(job)` / `ctx.fail(job, err)` and not a returned array of outcomes: an
 * outcome is tied to its job object, never to a position (an array of outcomes pairs by index,
 * so a filtered or reordered array silently credits the wrong jobs); a handler that is
 * all-or-nothing needs no reporting code at all (resolve = every job completes, throw = every
 * job fails that attempt); and a job reported twice, after the call ended, or not of this batch
 * is a thrown `JobError`, never a silent second outcome.
 */
import { JobError, SluiceError } from '../errors.js';
import { abortRunning, contextOf, type Abortable } from './worker/job-context.js';
import type { Job } from './job.js';

/** How a Worker forms batches. */
export interface BatchOptions {
  /** Most jobs per handler call (1–1000). */
  size: number;
  /**
   * Longest wait (ms) for a batch to fill after its first job arrived; then the handler gets
   * what there is. 0 = what one fetch returns. Default 0.
   */
  maxWaitMs?: number;
}

/** What a batch handler gets beside its jobs: how it reports each job's outcome. */
export interface BatchContext<Data = unknown, Result = unknown> {
  /**
   * Aborted when every job of the batch was taken away (the worker gave them back on shutdown,
   * or their leases were lost); a job taken away alone is reported as `lease-lost` and whatever
   * the handler reports for it is ignored (its lease token is never valid again).
   */
  readonly signal: AbortSignal;
  /** Records `job` as completed now, with `result` as its result. */
  complete(job: Job<Data, Result>, result?: Result): void;
  /**
   * Records a failed attempt of `job` now: the retry policy decides, as for a thrown error
   * (`RetryAfterError` and `UnrecoverableError` work here too).
   */
  fail(job: Job<Data, Result>, error: unknown): void;
}

/**
 * A handler of up to `batch.size` jobs. Jobs it does not report through `ctx` take the outcome
 * of the call: completed (no result) when it resolves, failed with its error when it throws.
 */
export type BatchProcessor<Data = unknown, Result = unknown> = (
  jobs: Job<Data, Result>[],
  ctx: BatchContext<Data, Result>,
) => Promise<void> | void;

/** Problems with `batch` (for the worker's one validation error). */
export function batchProblems(batch: unknown): string[] {
  if (batch === undefined) return [];
  if (typeof batch !== 'object' || batch === null) return ['batch must be an object'];
  const b = batch as Record<string, unknown>;
  const problems: string[] = [];
  if (!Number.isInteger(b.size) || (b.size as number) < 1 || (b.size as number) > 1000)
    problems.push('batch.size must be an integer in [1, 1000]');
  if (b.maxWaitMs !== undefined && (!Number.isInteger(b.maxWaitMs) || (b.maxWaitMs as number) < 0))
    problems.push('batch.maxWaitMs must be an integer >= 0');
  for (const key of Object.keys(b))
    if (key !== 'size' && key !== 'maxWaitMs') problems.push(`batch.${key} is not an option`);
  return problems;
}

/** One job of a batch, as the worker tracks it. */
export interface BatchMember<Data, Result> {
  job: Job<Data, Result>;
  released: boolean;
  batch?: BatchRun<Data, Result>;
}

/** What a running batch calls back into the worker for. */
export interface BatchHooks<Data, Result, M extends BatchMember<Data, Result>> {
  succeeded(member: M, value: Result | undefined): void;
  failed(member: M, error: unknown): void;
  /** The handler call has ended (before its unreported jobs are settled). */
  ended(): void;
}

/** One handler call over a batch of jobs, and the rule that each job gets one outcome. */
export class BatchRun<Data, Result> implements Abortable {
  controller: AbortController | undefined;
  abortReason: unknown;
  private readonly open = new Map<Job<Data, Result>, BatchMember<Data, Result>>();
  private over = false;

  constructor(private readonly members: BatchMember<Data, Result>[]) {
    for (const m of members) {
      m.batch = this;
      this.open.set(m.job, m);
    }
  }

  /** Runs `processor` over the batch and settles every job. */
  start<M extends BatchMember<Data, Result>>(
    processor: BatchProcessor<Data, Result>,
    hooks: BatchHooks<Data, Result, M>,
  ): void {
    const report = (job: Job<Data, Result>, how: string): M => {
      const member = this.open.get(job);
      if (member) {
        this.open.delete(job);
        return member as M;
      }
      const id = (job as Job | undefined)?.id ?? String(job);
      if (!this.members.some((m) => m.job === job))
        throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} is not of this batch`);
      throw new JobError(
        'SLC_ERR_JOB_STATE',
        id,
        this.over
          ? `job ${id}: ${how} after the batch handler ended`
          : `job ${id} was already reported`,
      );
    };
    const signal = contextOf(this);
    const ctx: BatchContext<Data, Result> = {
      get signal() {
        return signal.signal;
      },
      complete: (job, result) => hooks.succeeded(report(job, 'complete'), result),
      fail: (job, error) => hooks.failed(report(job, 'fail'), error),
    };
    let call: Promise<void>;
    try {
      call = Promise.resolve(
        processor(
          this.members.map((m) => m.job),
          ctx,
        ),
      );
    } catch (err) {
      call = Promise.reject(err);
    }
    const settle = (outcome: (m: M) => void) => {
      this.over = true;
      hooks.ended();
      const left = [...this.open.values()] as M[];
      this.open.clear();
      for (const m of left) outcome(m);
    };
    call.then(
      () => settle((m) => hooks.succeeded(m, undefined)),
      (err: unknown) => settle((m) => hooks.failed(m, err)),
    );
  }

  /** A job of the batch was taken away: once all are, the handler's signal fires. */
  noteReleased(reason: unknown): void {
    if (this.members.every((m) => m.released))
      abortRunning(this, reason ?? new SluiceError('SLC_ERR_CLOSED', 'batch released'));
  }
}
