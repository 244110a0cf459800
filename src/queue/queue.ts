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
import { EventEmitter } from 'node:events';
import { ClosedError, JobError, ValidationError } from '../errors.js';
import { openConnection, type ConnectionOptions } from '../redis/connection.js';
import {
  CommandConnection,
  toConnectionRetry,
  type ConnectionRetry,
} from '../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, queuePartitionKeys, type QueueKeys } from '../redis/keys.js';
import { RedisClock, timeSampler } from '../redis/clock.js';
import { WriteBatcher } from '../redis/write-batcher.js';
import { QueueCommands } from './commands/commands.js';
import { SHARED_CONNECTION, sharedConnection } from './shared-connection.js';
import { EventsReader } from './events/events-reader.js';
import { dispatchQueueEvent, JOB_EVENTS, type QueueEvents } from './events/queue-events.js';
import { decodeStats, readJob, readJobPage, type JobPage, type QueueStats } from './admin/reads.js';
import { confirmReplicated, type DurableOptions } from './durable.js';
import { Job, type JobState } from './job.js';
import {
  bulkJobParts,
  bulkProblem,
  checkClearOptions,
  checkJobId,
  checkJobIds,
  checkJobState,
  checkPage,
  resolveQueueOptions,
  toAddSpec,
  type AddOptions,
  type ClearOptions,
  type BulkJob,
} from './options.js';
import { listEntityJobs, type EntityJobPage } from './admin/entity-index.js';
import { fromMetaFields, LIMIT_FIELDS, toStoredLimits, type QueueLimits } from './admin/limits.js';
import { validateName } from '../validate.js';
import { NameRegistration } from '../registry.js';
import { ScheduleCommands } from './schedules/schedule-commands.js';
import type { ScheduleOptions } from './schedules/schedule-spec.js';
import {
  listSchedules,
  removeSchedule,
  upsertSchedule,
  type ScheduleInfo,
} from './schedules/schedules.js';
import {
  readHistory,
  checkSearch,
  searchJobs,
  type HistoryRange,
  type QueueHistory,
  type SearchOptions,
  type SearchPage,
} from './admin/inspect.js';
import {
  PARTITION,
  partitionSlot,
  resolvePartitionCount,
  type PartitionSlot,
} from './partitions/partition-layout.js';
import { QueuePartitions } from './partitions/partitioned-queue.js';
import { changeJobDelay, changeJobPriority, updateJobData } from './admin/job-mutation.js';
import { waitForJob } from './events/job-waiter.js';
import {
  dropDedupKey,
  promoteAllJobs,
  readPriorityCounts,
  rerunJob,
  type PriorityCounts,
} from './admin/admin-ops.js';

export type { AttemptFailure, QueueEvents } from './events/queue-events.js';
export type { JobPage, QueueStats } from './admin/reads.js';
export type { DurableOptions } from './durable.js';

/** Options shared by Queue and Worker. */
export interface QueueBaseOptions {
  /** How to reach Redis; default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  connection?: ConnectionOptions;
  /** Key prefix; default `sluice`. */
  prefix?: string;
  /**
   * How calls ride out a short loss of Redis (as `retry` of Streams): while Redis is unreachable
   * a call waits and retries with back-off, then fails with `SLC_ERR_CONNECTION` (about 16 s by
   * default). See docs/guarantees.md for what a call that failed so may have done.
   */
  connectionRetry?: ConnectionRetry;
}

export interface QueueOptions extends QueueBaseOptions {
  /** Largest accepted payload, in bytes of JSON (at most 512 MiB); default 512 KiB. */
  maxPayloadBytes?: number;
  /**
   * Wait for replicas before `add` / `addBulk` resolve (Redis `WAIT` after the add, on the same
   * connection), so an acknowledged job survives a fail-over to a replica. Fewer confirmations
   * in time reject with `SLC_ERR_NOT_REPLICATED`. Not on Redis Cluster. See docs/operations.md.
   */
  durable?: DurableOptions;
  /**
   * Spread the queue over this many partitions (1–256), each in a hash slot of its own, so it
   * scales over a Cluster's shards. Stored at first use; a different count later is refused.
   * Default: the stored count, or 1. See docs/operations.md#partitions.
   */
  partitions?: number;
}

/** What `add` returns: the job's id, and whether this call created it. */
export interface AddedJob {
  id: string;
  /** False when a job with the given id already existed (nothing was added). */
  created: boolean;
}

const BULK_CHUNK = 1000;
export class Queue<Data = unknown, Result = unknown> extends EventEmitter<QueueEvents> {
  readonly name: string;
  readonly prefix: string;
  /** @internal */
  readonly keys: QueueKeys;
  private readonly conn: CommandConnection;
  /** False when the connection is borrowed (from {@link Queues} or the outer partitioned queue). */
  private readonly ownsConnection: boolean;
  private readonly commands: QueueCommands;
  private readonly clock: RedisClock;
  private readonly writes: WriteBatcher;
  private readonly maxPayloadBytes: number;
  private readonly durable: Required<DurableOptions> | undefined;
  private readonly connection: ConnectionOptions | undefined;
  private events: EventsReader | undefined;
  private eventsReady: Promise<void> | undefined;
  /** Adds the name to the registry before this handle's first write (see src/registry.ts). */
  private readonly registration: NameRegistration;
  private closed = false;
  private schedCmds: ScheduleCommands | undefined;
  /** Set on the inner queue of one partition (then this handle is a plain queue). */
  private readonly slot: PartitionSlot | undefined;
  private readonly options: QueueOptions;
  private layout: Promise<QueuePartitions<Data, Result> | undefined> | undefined;
  private wantedPartitions: number | undefined;

  /** `options` may be just a connection URL. */
  constructor(name: string, options: QueueOptions | string = {}) {
    super();
    if (typeof options === 'string') options = { connection: options };
    this.name = validateName('queue', name);
    const settings = resolveQueueOptions(options);
    this.prefix = settings.prefix ?? DEFAULT_PREFIX;
    this.maxPayloadBytes = settings.maxPayloadBytes;
    this.slot = partitionSlot(options);
    this.options = options;
    this.wantedPartitions = settings.partitions;
    this.keys = this.slot
      ? queuePartitionKeys(this.prefix, name, this.slot.index)
      : queueKeys(this.prefix, name);
    const retry = toConnectionRetry(options.connectionRetry, 'connectionRetry');
    this.connection = settings.connection;
    const borrowed = sharedConnection(options);
    this.ownsConnection = borrowed === undefined;
    this.conn =
      borrowed ??
      new CommandConnection(
        options.connection,
        undefined,
        retry,
        `queue ${name}`,
        (err) => this.reportError(err),
      );
    this.durable = settings.durable;
    if (this.durable && this.conn.client.isCluster) {
      if (this.ownsConnection) void this.conn.close();
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        'durable is not supported on Redis Cluster (WAIT would reach a random node)',
      ]);
    }
    this.commands = new QueueCommands(this.conn, this.keys);
    this.clock = new RedisClock(timeSampler(this.conn));
    this.writes = new WriteBatcher(this.conn.client);
    this.registration = new NameRegistration((key, n) => this.conn.run((c) => c.sadd(key, n)));
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (typeof event === 'string' && JOB_EVENTS.has(event))
        this.parted().then(
          (p) => (p ? p.forward(this, JOB_EVENTS) : this.listenToJobEvents()),
          (err: unknown) => this.reportError(err),
        );
    });
  }

  private listenToJobEvents(): void {
    if (this.events || this.closed) return;
    const reader = new EventsReader(
      openConnection(this.connection, (err) => this.reportError(err)),
      this.keys,
      (e) => dispatchQueueEvent(this, e),
      (err) => this.reportError(err),
    );
    this.events = reader;
    this.eventsReady = reader.start();
    this.eventsReady.then(
      () => this.emit('ready'),
      (err: unknown) => this.reportError(err),
    );
  }

  private reportError(err: unknown): void {
    if (this.listenerCount('error') > 0)
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * Adds a job. Resolves once the job is stored in Redis.
   * @example
   * ```ts
   * const { id } = await queue.add('sync', { noteId: 7 }, { id: 'note-7-v3', priority: 'high' });
   * ```
   */
  async add(name: string, data: Data, opts?: AddOptions): Promise<AddedJob> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.add(name, data, opts);
    const spec = toAddSpec(name, data, opts, this.maxPayloadBytes);
    await this.register();
    const now = await this.clock.now();
    this.writes.batch();
    const [added] = await this.commands.add([spec], now);
    await confirmReplicated(this.conn, this.durable, [added!.id]);
    return added!;
  }

  /**
   * Adds many jobs; each chunk of 1,000 is one atomic script call. Every job is validated before
   * any is sent, so one bad job fails the whole call and adds nothing.
   */
  async addBulk(jobs: readonly BulkJob<Data>[]): Promise<AddedJob[]> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.addBulk(jobs);
    bulkProblem(jobs);
    const specs = jobs.map((job, i) => {
      const j = bulkJobParts(job, i);
      return toAddSpec(j.name ?? '', j.data, j.opts, this.maxPayloadBytes);
    });
    await this.register();
    const out: AddedJob[] = [];
    for (let i = 0; i < specs.length; i += BULK_CHUNK) {
      const now = await this.clock.now();
      const chunk = await this.commands.add(specs.slice(i, i + BULK_CHUNK), now);
      await confirmReplicated(
        this.conn,
        this.durable,
        chunk.map((a) => a.id),
      );
      out.push(...chunk);
    }
    return out;
  }

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

  /** The limits in force (see {@link Queue.setLimits}). */
  async getLimits(): Promise<QueueLimits> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.getLimits();
    const v = await this.conn.run((c) => c.hmget(this.keys.meta, ...LIMIT_FIELDS));
    return fromMetaFields(v);
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

  /** True while the queue is paused. */
  async isPaused(): Promise<boolean> {
    this.assertOpen();
    const parts = await this.parted();
    if (parts) return parts.isPaused();
    return (await this.conn.run((c) => c.hget(this.keys.meta, 'paused'))) === '1';
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
    await this.register();
    return upsertSchedule(this.schedCommands, this.clock, key, spec, this.maxPayloadBytes);
  }

  /** Every schedule of the queue, by key, with its pending tick. */
  async schedules(): Promise<ScheduleInfo<Data>[]> {
    this.assertOpen();
    return listSchedules<Data>(this.schedCommands);
  }

  /** Removes a schedule and its pending (not yet due) job. False if there was none. */
  async unschedule(key: string): Promise<boolean> {
    this.assertOpen();
    return removeSchedule(this.schedCommands, key);
  }

  private get schedCommands(): ScheduleCommands {
    return (this.schedCmds ??= new ScheduleCommands(this.conn, this.keys, this.prefix, this.name));
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

  /** Closes the queue's connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await (await this.layout?.catch(() => undefined))?.close();
    await this.events?.stop();
    if (this.ownsConnection) await this.conn.close();
  }

  /**
   * The partitions of a partitioned queue, or undefined for a plain one: the stored count is
   * read (and checked against `partitions`) once per handle. Inner partition handles are plain.
   */
  private parted(): Promise<QueuePartitions<Data, Result> | undefined> {
    if (this.slot) return Promise.resolve(undefined);
    this.layout ??= resolvePartitionCount(
      (op) => this.conn.run(op),
      this.prefix,
      this.name,
      this.wantedPartitions,
    ).then(
      (n) => {
        if (n <= 1) return undefined;
        const inner = Array.from({ length: n }, (_, index) => {
          // The partitions share this handle's command connection: N partitions, one connection.
          const o = {
            ...this.options,
            partitions: undefined,
            [PARTITION]: { index },
            [SHARED_CONNECTION]: this.conn,
          };
          return new Queue<Data, Result>(this.name, o);
        });
        return new QueuePartitions<Data, Result>(this.name, inner);
      },
      (err: unknown) => {
        this.layout = undefined; // a failed read (Redis away, a wrong count) is tried again
        throw err;
      },
    );
    return this.layout;
  }

  private register(): Promise<void> {
    return this.registration.ensure(this.prefix, 'queues', this.name);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError(`queue ${this.name}`);
  }
}
