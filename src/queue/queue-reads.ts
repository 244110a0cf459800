/**
 * The reads of {@link Queue}: jobs, pages, stats, history, search, limits, schedules, counts
 * per priority. Each one script call (or one per partition).
 */
import { ValidationError } from '../errors.js';
import { decodeStats, readJob, readJobPage, type JobPage, type QueueStats } from './admin/reads.js';
import { Job, type JobState } from './job.js';
import { checkJobId, checkJobState, checkPage } from './admin/call-options.js';
import { listEntityJobs, type EntityJobPage } from './admin/entity-index.js';
import { fromMetaFields, LIMIT_FIELDS, type QueueLimits } from './admin/limits.js';
import { listSchedules, type ScheduleInfo } from './schedules/schedules.js';
import {
  readHistory,
  checkSearch,
  searchJobs,
  type HistoryRange,
  type QueueHistory,
  type SearchOptions,
  type SearchPage,
} from './admin/inspect.js';
import { waitForJob } from './events/job-waiter.js';
import { readPriorityCounts, type PriorityCounts } from './admin/admin-ops.js';

import { QueueCore } from './queue-core.js';

/** @internal */
export abstract class QueueReads<Data = unknown, Result = unknown> extends QueueCore<Data, Result> {
  /** Reads a job, or undefined if there is none with that id. */
  async getJob(id: string): Promise<Job<Data, Result> | undefined> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.getJob(checkJobId(id));
    return readJob<Data, Result>(this.commands, this.name, id);
  }

  /**
   * One page of jobs in `state`, in the order that state is read by an operator:
   * - `waiting`: jobs without a group in run order, the next to run first (higher priority first,
   *   FIFO within one); then grouped jobs by group name, each group in its own run order (fetch
   *   serves groups round-robin, so this is not the order across groups);
   * - `delayed`: soonest due first;
   * - `active`: earliest lease deadline first (the jobs whose worker renewed least recently);
   * - `completed`, `failed`: newest first (by finish time).
   *
   * `offset` counts from the first job in that order; a page reads only its own rows. Pages of a
   * state that changes between calls may overlap or skip jobs (each page is its own snapshot).
   * @example
   * ```ts
   * const { total, jobs } = await queue.getJobs('failed', { offset: 0, limit: 50 });
   * const next = await queue.getJobs('waiting', { limit: 10 }); // the next 10 to run
   * ```
   */
  async getJobs(
    state: JobState,
    page: { offset?: number; limit?: number } = {},
  ): Promise<JobPage<Data>> {
    this.assertOpen();
    checkJobState(state);
    const { offset, limit } = checkPage(page);
    const parts = await this.parted();
    if (parts) return parts.getJobs(state, { offset, limit });
    return readJobPage<Data>(this.commands, this.name, state, offset, limit);
  }

  /**
   * One page of the jobs added with `entity` (see `AddOptions.entity`), newest first, each with
   * its `state`, in every state at once. Reads the per-entity index, never the queue: a page
   * costs O(log n + limit) whatever the offset. Jobs leave the index when they are deleted
   * (retention, `remove`, `clear`).
   * @example
   * ```ts
   * await queue.add('sms', { to: '+15550100' }, { entity: 'acct-42' });
   * const { total, jobs } = await queue.getEntityJobs('acct-42', { limit: 20 });
   * for (const job of jobs) console.log(job.id, job.state, job.attemptsMade, job.failedReason);
   * ```
   */
  async getEntityJobs(
    entity: string,
    page: { offset?: number; limit?: number } = {},
  ): Promise<EntityJobPage<Data, Result>> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.getEntityJobs(entity, page);
    return listEntityJobs<Data, Result>(this.commands, this.name, entity, page);
  }

  /** Counts per state, oldest waiting age, totals and per-minute rates. */
  async stats(): Promise<QueueStats> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.stats();
    return decodeStats(this.name, await this.commands.stats());
  }

  /**
   * Completions and failures per minute over the last hour (`'1h'`), or per hour over the last
   * 7 days (`'7d'`), from bounded counters the scripts keep in the queue's `metrics` hash.
   * @example
   * ```ts
   * const { stepMs, startMs, completed, failed } = await queue.history('7d');
   * ```
   */
  async history(range: HistoryRange = '1h'): Promise<QueueHistory> {
    this.assertOpen();
    if (range !== '1h' && range !== '7d')
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ["range must be '1h' or '7d'"]);
    const parts = await this.parted();
    if (parts) return parts.history(range);
    return readHistory(this.commands, range);
  }

  /**
   * Finds jobs by id, name, a meta field or payload text, a bounded slice of the queue per call
   * (HSCAN with a budget): pass the returned `cursor` back until it is `'0'`. Jobs may be seen
   * twice across calls while the queue changes (HSCAN's guarantee); read each with `getJob`.
   * @example
   * ```ts
   * let page = await queue.search({ query: 'acct-42', field: 'meta.account' });
   * while (page.cursor !== '0') page = await queue.search({ query: 'acct-42', cursor: page.cursor });
   * ```
   */
  async search(opts: SearchOptions): Promise<SearchPage> {
    this.assertOpen();
    checkSearch(opts);
    const parts = await this.parted();
    if (parts) return parts.search(opts);
    return searchJobs(
      (cursor, count) => this.conn.run((c) => c.hscan(this.keys.jobs, cursor, 'COUNT', count)),
      opts,
    );
  }

  /** The limits in force (see {@link Queue.setLimits}). */
  async getLimits(): Promise<QueueLimits> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.getLimits();
    const v = await this.conn.run((c) => c.hmget(this.keys.meta, ...LIMIT_FIELDS));
    return fromMetaFields(v);
  }

  /** True while the queue is paused. */
  async isPaused(): Promise<boolean> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.isPaused();
    return (await this.conn.run((c) => c.hget(this.keys.meta, 'paused'))) === '1';
  }

  /** Every schedule of the queue, by key, with its pending tick. */
  async schedules(): Promise<ScheduleInfo<Data>[]> {
    this.assertOpen();
    return listSchedules<Data>(this.schedCommands);
  }

  /**
   * Waiting jobs per priority (those without a group), and how many wait in groups. Costs one
   * step per priority in use, not per job.
   * @example
   * ```ts
   * const { byPriority } = await queue.priorityCounts(); // { 10: 3, 0: 120, -10: 7 }
   * ```
   */
  async priorityCounts(): Promise<PriorityCounts> {
    this.assertOpen();
    const parts = await this.parted();
    if (!parts) return readPriorityCounts(this.commands);
    const all = await parts.each((q) => q.priorityCounts());
    const out: PriorityCounts = { byPriority: {}, grouped: 0 };
    for (const c of all) {
      out.grouped += c.grouped;
      for (const [p, n] of Object.entries(c.byPriority))
        out.byPriority[Number(p)] = (out.byPriority[Number(p)] ?? 0) + n;
    }
    return out;
  }

  /**
   * Resolves with a job's return value once it completed, from the queue's events (no polling):
   * for a producer that needs the result. Rejects with `JobFailedError` (`SLC_ERR_JOB_FAILED`)
   * once it failed for good, `SLC_ERR_JOB_NOT_FOUND`, or `TimeoutError` (`SLC_ERR_TIMEOUT`)
   * after `timeoutMs` (at most a day). A job already finished settles at once. A completed job
   * deleted at once by retention (`keepCompleted` 0) resolves with `undefined`. Starts the
   * queue's events reader (as `on('completed')` does), which runs until `close`.
   * @example
   * ```ts
   * const { id } = await queue.add('resize', { src });
   * const url = await queue.waitUntilFinished(id, 30_000);
   * ```
   */
  async waitUntilFinished(id: string, timeoutMs: number): Promise<Result | undefined> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.onJob(checkJobId(id), (q) => q.waitUntilFinished(id, timeoutMs));
    return waitForJob<Result>(this, checkJobId(id), timeoutMs, async () => {
      this.listenToJobEvents();
      await this.eventsReady;
    });
  }
}
