/**
 * Queue: the producer and admin face of a queue. Every operation is one script call, so it acts
 * on all workers at once.
 *
 * @example
 * ```ts
 * const queue = new Queue('emails', { connection: 'redis://127.0.0.1:6379' });
 * await queue.add('welcome', { to: 'ada@example.com' }, { delay: 60_000, meta: { userId: 'u1' } });
 * console.log(await queue.stats());
 * await queue.close();
 * ```
 */
import { JobError, ValidationError } from '../errors.js';
import { optionsArg } from '../validate.js';
import type { AddOptions } from './options.js';
import {
  checkClearOptions,
  checkJobId,
  checkJobIds,
  type ClearOptions,
} from './admin/call-options.js';
import { toStoredLimits, type QueueLimits } from './admin/limits.js';
import type { ScheduleOptions } from './schedules/schedule-spec.js';
import { removeSchedule, upsertSchedule, type ScheduleInfo } from './schedules/schedules.js';
import { changeJobDelay, changeJobPriority, updateJobData } from './admin/job-mutation.js';
import { dropDedupKey, promoteAllJobs, rerunJob } from './admin/admin-ops.js';

import { BULK_CHUNK, type QueueOptions } from './queue-core.js';
import { QueueReads } from './queue-reads.js';

export type { AttemptFailure, QueueEvents } from './events/queue-events.js';
export type { JobPage, QueueStats } from './admin/reads.js';
export type { DurableOptions } from './durable.js';
export type { AddedJob, QueueBaseOptions, QueueOptions } from './queue-core.js';

export class Queue<Data = unknown, Result = unknown> extends QueueReads<Data, Result> {
  /** `options` may be just a connection URL. */
  constructor(name: string, options: QueueOptions | string = {}) {
    super(name, options);
  }

  protected partition(options: QueueOptions): Queue<Data, Result> {
    return new Queue<Data, Result>(this.name, options);
  }

  /**
   * Sets the queue's limits, shared by every worker at once: global concurrency, a rate limit,
   * and per group a concurrency and a rate limit of its own. Replaces all of them: an omitted
   * limit is removed. Limited work stays in Redis (it is not fetched and put back); workers
   * wake when the budget allows. See docs/groups.md.
   *
   * @example
   * ```ts
   * await queue.setLimits({ concurrency: 50, groupRateLimit: { max: 1, durationMs: 1000 } });
   * ```
   * @throws {@link ValidationError} `SLC_ERR_INVALID_OPTIONS` listing every bad limit.
   */
  async setLimits(limits: QueueLimits): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.setLimits(limits);
    await this.commands.setLimits(toStoredLimits(limits));
  }

  /** Stops every worker from taking jobs of this queue; active jobs finish. */
  async pause(): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.pause();
    await this.register();
    await this.commands.setPaused(true);
  }

  /** Lets workers take jobs again. */
  async resume(): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.resume();
    await this.register();
    await this.commands.setPaused(false);
  }

  /**
   * Creates or replaces (by `key`) a schedule that adds one job per tick, with the id
   * `sched:<key>:<tick ms>`, however many schedulers run (workers run one). The same spec again
   * changes nothing. See docs/guarantees.md, "Schedulers".
   * @example
   * ```ts
   * await queue.schedule('nightly-report', { cron: '0 3 * * *', tz: 'Europe/Paris', data: {} });
   * await queue.schedule('heartbeat', { everyMs: 60_000, catchUp: 'none' });
   * ```
   */
  async schedule(
    key: string,
    spec: ScheduleOptions<Data>,
  ): Promise<ScheduleInfo<Data> & { changed: boolean }> {
    this.assertOpen();
    await this.refuseSchedulesIfParted();
    await this.register();
    return upsertSchedule(this.schedCommands, this.clock, key, spec, this.maxPayloadBytes);
  }

  /** Removes a schedule and its pending (not yet due) job. False if there was none. */
  async unschedule(key: string): Promise<boolean> {
    this.assertOpen();
    // allowed on a partitioned queue too: a schedule made there before it was refused goes
    return removeSchedule(this.schedCommands, key);
  }

  /**
   * A partitioned queue's workers take jobs from its partitions only, and a schedule's ticks
   * would go to the queue's own keys, where none of them looks: refused, rather than a
   * schedule that never runs.
   */
  private async refuseSchedulesIfParted(): Promise<void> {
    if (await this.parted())
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `schedules are not supported on a partitioned queue (${this.name})`,
      ]);
  }

  /** Runs a delayed job now. Throws `SLC_ERR_JOB_NOT_FOUND` or `SLC_ERR_JOB_STATE`. */
  async promote(id: string): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.promote(checkJobId(id));
    const r = await this.commands.promote(checkJobId(id));
    if (r === 0)
      throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${this.name}`);
    if (r === -1) throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} is not delayed`);
  }

  /**
   * Removes a job that is not active. Returns false if there was no such job; throws
   * `SLC_ERR_JOB_STATE` if a worker holds it.
   */
  async remove(id: string): Promise<boolean> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.remove(checkJobId(id));
    const r = await this.commands.remove(checkJobId(id));
    if (r === -1)
      throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} is active; it cannot be removed now`);
    return r === 1;
  }

  /**
   * Cancels a job, from any process. A waiting or delayed job is removed (`'removed'`, as by
   * `remove`). An active job's handler gets its `signal` aborted (a `JobCancelledError`) on
   * whichever worker runs it, within moments, and the job ends as `failed` with reason
   * `cancelled`, not retried (`'cancelling'`; a handler that finishes first completes the job).
   * Throws `SLC_ERR_JOB_NOT_FOUND`, or `SLC_ERR_JOB_STATE` for a job already finished.
   * @example
   * ```ts
   * await queue.cancel(id); // 'removed' | 'cancelling'
   * ```
   */
  async cancel(id: string): Promise<'removed' | 'cancelling'> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.cancel(id));
    const r = await this.commands.cancel(checkJobId(id));
    if (r === 0)
      throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${this.name}`);
    if (r === -1) throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} has already finished`);
    return r === 1 ? 'removed' : 'cancelling';
  }

  /**
   * Moves failed jobs back to waiting with a fresh attempt count (their history is kept): the
   * given ids, or every failed job. Returns how many moved.
   */
  async retryFailed(ids?: readonly string[]): Promise<number> {
    this.assertOpen();
    // Each step is bounded by the size of the histories it rewrites, and says how far it got.
    checkJobIds(ids);
    const parts = await this.parted();
    if (parts) return parts.retryFailed(ids);
    if (ids) {
      let moved = 0;
      for (let i = 0; i < ids.length;) {
        const step = await this.commands.retryFailed(BULK_CHUNK, ids.slice(i, i + BULK_CHUNK));
        moved += step.moved;
        i += Math.max(1, step.looked);
      }
      return moved;
    }
    // Stops after a short chunk: a job that fails again meanwhile is not retried (and counted)
    // twice by one call, and busy workers cannot keep the loop going.
    let moved = 0;
    for (;;) {
      const step = await this.commands.retryFailed(BULK_CHUNK, []);
      moved += step.moved;
      if (!step.more && step.looked < BULK_CHUNK) return moved;
    }
  }

  /**
   * Removes all waiting jobs, and delayed ones unless `keepDelayed` (default **true**: a delayed
   * job is planned work, a schedule's pending tick among them; BullMQ's `drain()` keeps them too),
   * and failed ones with `includeFailed`, in bounded steps. Active jobs are left to finish.
   * Returns how many were removed.
   * @example
   * ```ts
   * await queue.clear(); // waiting only
   * await queue.clear({ keepDelayed: false, includeFailed: true }); // everything not running
   * ```
   */
  async clear(opts: ClearOptions = {}): Promise<number> {
    this.assertOpen();
    const { includeFailed, keepDelayed } = checkClearOptions(opts);
    const parts = await this.parted();
    if (parts) return parts.clear({ includeFailed, keepDelayed });
    let removed = 0;
    for (;;) {
      const step = await this.commands.clear(BULK_CHUNK, includeFailed, keepDelayed);
      removed += step.removed;
      if (step.done) return removed;
    }
  }

  /**
   * Moves delayed jobs to waiting now, soonest due first (each as `promote` does), at most 1,000
   * per script call; all of them, or the first `limit`. Returns how many moved.
   * @example
   * ```ts
   * await queue.promoteAll();
   * ```
   */
  async promoteAll(opts: { limit?: number } = {}): Promise<number> {
    this.assertOpen();
    opts = optionsArg(opts, 'promoteAll options');
    const parts = await this.parted();
    if (parts) return parts.sum((q) => q.promoteAll(opts));
    return promoteAllJobs(this.commands, opts.limit);
  }

  /**
   * Runs a completed job again: back to waiting with a fresh attempt count (its history is
   * kept, its return value dropped). Throws `SLC_ERR_JOB_NOT_FOUND`, or `SLC_ERR_JOB_STATE` for
   * a job that is not completed (use `retryFailed` for a failed one).
   */
  async rerun(id: string): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.rerun(id));
    await rerunJob(this.commands, this.name, checkJobId(id));
  }

  /**
   * Releases a de-dup key at once (whatever holds it): the next `add` with it creates a job.
   * Returns false when no job held it.
   */
  async removeDedupKey(key: string): Promise<boolean> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return (await parts.sum(async (q) => Number(await q.removeDedupKey(key)))) > 0;
    return dropDedupKey(this.commands, key);
  }

  /**
   * Replaces the data of a job that is not running (waiting, delayed or finished), in one script.
   * Throws `SLC_ERR_JOB_NOT_FOUND`, or `SLC_ERR_JOB_STATE` while a worker holds the job.
   * @example
   * ```ts
   * await queue.updateData(id, { noteId: 7, v: 2 });
   * ```
   */
  async updateData(id: string, data: Data): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.updateData(id, data));
    await updateJobData(this.commands, this.name, checkJobId(id), data, this.maxPayloadBytes);
  }

  /**
   * Moves a delayed job's due time to `delayMs` from now (Redis clock; 0 = due now); returns the
   * new due time (ms). Throws `SLC_ERR_JOB_NOT_FOUND`, or `SLC_ERR_JOB_STATE` unless delayed.
   * @example
   * ```ts
   * await queue.changeDelay(id, 60_000);
   * ```
   */
  async changeDelay(id: string, delayMs: number): Promise<number> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.changeDelay(id, delayMs));
    return changeJobDelay(this.commands, this.name, checkJobId(id), delayMs);
  }

  /**
   * Sets the priority of a job that is not running (as `add` takes it); a waiting job moves to
   * the back of its new priority. Throws `SLC_ERR_JOB_NOT_FOUND`, or `SLC_ERR_JOB_STATE` while
   * a worker holds the job.
   * @example
   * ```ts
   * await queue.changePriority(id, 'high');
   * ```
   */
  async changePriority(id: string, priority: NonNullable<AddOptions['priority']>): Promise<void> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.changePriority(id, priority));
    await changeJobPriority(this.commands, this.name, checkJobId(id), priority);
  }
}
