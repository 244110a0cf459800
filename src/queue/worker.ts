/**
 * Worker: takes jobs of one queue under lease and runs them with a handler.
 *
 * One loop (`FetchLoop`) does all fetching: it sends the acks of finished jobs and asks for as
 * many new jobs as there are free slots, one script call each time, two calls in flight. When the
 * queue is empty it blocks on Redis (see `WakeListener`; the wake-up brings its jobs) and arms a
 * timer for the earliest delayed job. Background components (heartbeat, lease reaper, retention
 * janitor) run beside it.
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
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { JobCancelledError, LeaseLostError, SluiceError } from '../errors.js';
import { isConnectionError, openConnection, type RedisClient } from '../redis/connection.js';
import { CommandConnection, toConnectionRetry } from '../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, queuePartitionKeys } from '../redis/keys.js';
import { QueueCommands, type LeasedJob, type Retention } from './commands/commands.js';
import type { Heartbeat } from './worker/heartbeat.js';
import { Job, tokenStart } from './job.js';
import type { LeaseReaper } from './worker/lease-reaper.js';
import type { RetentionJanitor } from './worker/retention-janitor.js';
import type { RetryPolicy } from './retry.js';
import { serialisePayload, validateName } from '../validate.js';
import { toError } from '../thrown.js';
import { NameRegistration } from '../registry.js';
import type { WakeListener } from './worker/wake-listener.js';
import type { Scheduler } from './schedules/scheduler.js';
import { DelayTimer } from './worker/delay-timer.js';
import { abortRunning, contextOf } from './worker/job-context.js';
import {
  resolveWorkerOptions,
  type BatchWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';
import { BatchRun, type BatchProcessor } from './batch.js';
import { BatchCollector } from './worker/batch-collector.js';
import type { CancelListener } from './worker/cancel-listener.js';
import { timeoutOf, watchTimeout } from './worker/job-timeout.js';
import { JobReporter } from './worker/job-reporter.js';
import type { FlowRelayTask } from './flows/flow-relay.js';
import { traceAttempt } from '../telemetry.js';
import { partitionSlot } from './partitions/partition-layout.js';
import { PartitionSiblings } from './partitions/partitioned-worker.js';
import { SlotBudget } from './worker/slot-budget.js';
import { wireComponents } from './worker/components.js';
import { FetchLoop } from './worker/fetch-loop.js';
import { recordAttemptFailure, type OutcomeDeps } from './worker/failure.js';
import {
  isRateLimit,
  type PendingAck,
  type Processor,
  type Running,
  type WorkerEvents,
} from './worker/types.js';

export type { WorkerOptions, BatchWorkerOptions } from './worker-options.js';
export type { BatchContext, BatchOptions, BatchProcessor } from './batch.js';

export type { JobContext } from './worker/job-context.js';
export type { Processor, WorkerEvents } from './worker/types.js';

export class Worker<Data = unknown, Result = unknown> extends EventEmitter<
  WorkerEvents<Data, Result>
> {
  readonly name: string;
  private readonly prefix: string;
  readonly id = randomBytes(6).toString('base64url');
  private readonly conn: CommandConnection;
  private readonly client: RedisClient;
  private readonly blockingClient: RedisClient;
  private readonly commands: QueueCommands;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly retry: RetryPolicy;
  private readonly keepCompleted: Retention;
  private readonly keepFailed: Retention;
  private readonly historyLimit: number;
  private readonly maxResultBytes: number;
  private readonly heartbeat: Heartbeat;
  private readonly reaper: LeaseReaper;
  private readonly janitor: RetentionJanitor;
  private readonly wake: WakeListener;
  private readonly cancels: CancelListener;
  private readonly timeoutMs: number | undefined;
  private readonly scheduler: Scheduler | undefined;
  private readonly flows: FlowRelayTask;
  private readonly outcomes: OutcomeDeps<Data, Result>;

  private readonly inFlight = new Map<string, Running<Data, Result>>();
  private acks: PendingAck<Data, Result>[] = [];
  private failing = 0;
  private seq = 0;
  private readonly loop: FetchLoop<Data, Result>;
  private busySinceDrained = false;
  private readonly delayTimer = new DelayTimer(() => this.loop.fetchNow());
  private started = false;
  /** Set once the command connection is being closed: nothing more is sent. */
  private ended = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly processor: Processor<Data, Result> | undefined;
  private readonly batchProcessor: BatchProcessor<Data, Result> | undefined;
  /** Forms batches (batch handlers only); a batch takes one of `concurrency` slots. */
  private readonly collector: BatchCollector<Running<Data, Result>> | undefined;
  private batchesRunning = 0;
  /** With `partitions`: the shared slot budget, and (on the owner) the sibling workers. */
  private readonly part: { budget: SlotBudget; member: number } | undefined;
  private readonly siblings: PartitionSiblings | undefined;

  /** A worker that runs one job per handler call. `options` may be just a connection URL. */
  constructor(name: string, processor: Processor<Data, Result>, options?: WorkerOptions | string);
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
  constructor(
    name: string,
    processor: Processor<Data, Result> | BatchProcessor<Data, Result>,
    options: WorkerOptions | BatchWorkerOptions | string = {},
  ) {
    super();
    if (typeof options === 'string') options = { connection: options };
    this.name = validateName('queue', name);
    const settings = resolveWorkerOptions(options, processor);
    if (settings.batch) {
      this.batchProcessor = processor as BatchProcessor<Data, Result>;
      this.collector = new BatchCollector(settings.batch.size, settings.batch.maxWaitMs, (b) =>
        this.startBatch(b),
      );
    } else this.processor = processor as Processor<Data, Result>;
    const retry = toConnectionRetry(options.connectionRetry, 'connectionRetry');
    this.concurrency = settings.concurrency;
    this.leaseMs = settings.leaseMs;
    this.retry = settings.retry;
    this.keepCompleted = settings.keepCompleted;
    this.keepFailed = settings.keepFailed;
    this.historyLimit = settings.historyLimit;
    this.maxResultBytes = settings.maxResultBytes;
    this.timeoutMs = settings.timeoutMs;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const n = options.partitions ?? 1;
    const slot = partitionSlot(options) ?? (n > 1 ? { index: 0 } : undefined);
    const keys = slot
      ? queuePartitionKeys(this.prefix, name, slot.index)
      : queueKeys(this.prefix, name);
    // Commands give up after the retry budget (the loops report it and go on) and are then not
    // re-sent (a given-up fetch would lease jobs to no one); ioredis keeps reconnecting both
    // connections in the background for as long as the worker runs.
    this.conn = new CommandConnection(
      options.connection,
      undefined,
      retry,
      `worker ${name}`,
      (err) => this.reportError(err),
      true,
    );
    this.client = this.conn.client;
    this.blockingClient = openConnection(options.connection, (err) => this.reportError(err));
    this.commands = new QueueCommands(this.conn, keys);
    this.outcomes = {
      commands: this.commands,
      client: this.client,
      retry: this.retry,
      keepFailed: this.keepFailed,
      historyLimit: this.historyLimit,
      notify: (event, ...args) => this.notify(event, ...args),
      reportError: (err) => this.reportError(err),
    };
    const onError = (err: unknown) => this.reportError(err);
    const parts = wireComponents(
      name,
      options,
      settings,
      keys,
      this.commands,
      this.conn,
      this.prefix,
      {
        blockingClient: this.blockingClient,
        leases: () =>
          [...this.inFlight.values()]
            .filter((r) => !r.released)
            .map((r) => ({ id: r.job.id, token: r.token })),
        onLeaseLost: (id) => this.onLeaseLost(id),
        onCancel: (id) => this.onCancel(id),
        onStalled: (id) => this.notify('stalled', id),
        failTakenOver: (leased) => void this.failTakenOver(leased),
        tokenBase: () => this.nextTokenBase(),
        onError,
      },
    );
    this.heartbeat = parts.heartbeat;
    this.reaper = parts.reaper;
    this.janitor = parts.janitor;
    this.wake = parts.wake;
    this.cancels = parts.cancels;
    this.scheduler = parts.scheduler;
    this.flows = parts.flows;
    const budget = slot && (slot.budget ?? new SlotBudget(this.concurrency));
    const inFlight = this.inFlight;
    const member = {
      get running() {
        return inFlight.size;
      },
      wake: () => this.loop.fetchNow(),
    };
    this.part = budget && { budget, member: budget.join(member) };
    this.loop = this.fetchLoop();
    if (budget && !slot.budget)
      this.siblings = new PartitionSiblings(
        Worker,
        name,
        processor as Processor<unknown, unknown>,
        { ...options, partitions: n },
        budget,
        this as unknown as Worker,
      );
    if (options.autorun !== false) this.run();
  }

  /** Starts taking jobs (only needed with `autorun: false`). */
  run(): void {
    if (this.started || this.closing) return;
    if (this.siblings && !this.siblings.checked) return this.siblings.check(() => this.run());
    this.started = true;
    this.siblings?.run();
    // A queue with a worker is a known queue (admin faces list it), even before its first job.
    void new NameRegistration((key, n) => this.conn.run((c) => c.sadd(key, n)))
      .ensure(this.prefix, 'queues', this.name)
      .catch((err: unknown) => this.reportError(err));
    this.heartbeat.start();
    this.cancels.start();
    this.reaper.start();
    void this.reaper.runNow();
    this.janitor.start();
    this.scheduler?.start().catch((err: unknown) => this.reportError(err));
    this.flows.start();
    this.pump();
  }

  /** Number of jobs running now. */
  get running(): number {
    return this.inFlight.size + (this.siblings?.running ?? 0);
  }

  /**
   * Stops taking jobs and waits up to `timeoutMs` for running ones to finish; jobs still running
   * then are released to waiting (their handlers see `signal` aborted, and their outcome is not
   * recorded). Resolves when the worker's connections are closed.
   */
  close(timeoutMs = 30_000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const siblings = this.siblings?.close(timeoutMs);
    this.delayTimer.stop();
    // a wait under way is ended and its reply awaited: jobs it took go back at once
    await this.wake.stop(
      (id) => this.client.client('UNBLOCK', id),
      () => this.client.lpush(this.commands.keys.marker, '1'),
    );
    await this.releaseCollected();
    await this.reaper.stop();
    await this.janitor.stop();
    await this.scheduler?.close();
    const timedOut = !(await this.settled(timeoutMs));
    await this.heartbeat.stop();
    this.cancels.stop();
    if (timedOut) {
      const left = [...this.inFlight.values()].filter((r) => !r.released);
      for (const r of left) {
        r.released = true;
        const reason = new SluiceError('SLC_ERR_CLOSED', 'worker closed; job released');
        abortRunning(r, reason);
        r.batch?.noteReleased(reason);
      }
      if (left.length) {
        await this.commands
          .release(left.map((r) => ({ id: r.job.id, token: r.token })))
          .catch((e) => this.reportError(e));
      }
      // Results already in hand are still worth recording before the connection goes.
      await this.settled(2000);
    }
    await this.flows.stop();
    this.ended = true;
    await this.conn.close();
    await siblings;
  }

  /** Resolves true once nothing of ours runs or waits to be recorded, false after `timeoutMs`. */
  private async settled(timeoutMs: number): Promise<boolean> {
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.checkIdle();
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      idle.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return done;
  }

  private freeSlots(): number {
    if (this.closing) return 0;
    // Batches: fill the one being formed while a batch slot is free.
    if (this.collector)
      return this.batchesRunning < this.concurrency
        ? this.collector.size - this.collector.length
        : 0;
    return this.concurrency - this.inFlight.size;
  }

  /** Jobs collected for a batch that has not started go back to waiting at once on close. */
  private async releaseCollected(): Promise<void> {
    const collected = this.collector?.take() ?? [];
    if (collected.length === 0) return;
    for (const r of collected) {
      r.released = true;
      this.inFlight.delete(r.job.id);
    }
    await this.commands
      .release(collected.map((r) => ({ id: r.job.id, token: r.token })))
      .catch((e) => this.reportError(e));
  }

  private nextTokenBase(): string {
    return `${this.id}:${++this.seq}`;
  }

  private fetchLoop(): FetchLoop<Data, Result> {
    return new FetchLoop<Data, Result>({
      commands: this.commands,
      wake: this.wake,
      concurrency: this.concurrency,
      leaseMs: this.leaseMs,
      keepCompleted: this.keepCompleted,
      batches: this.collector !== undefined,
      part: this.part,
      isStarted: () => this.started,
      isClosing: () => this.closing !== undefined,
      isEnded: () => this.ended || this.client.status === 'end',
      freeSlots: () => this.freeSlots(),
      takeAcks: () => {
        // never hand out the live array: a caller keeps what it took
        const acks = this.acks;
        this.acks = [];
        return acks;
      },
      putBackAcks: (acks) => void (this.acks = acks.concat(this.acks)),
      running: () => this.inFlight.size,
      tokenBase: () => this.nextTokenBase(),
      settleAcks: (acks, stale, now) => this.settleAcks(acks, stale, now),
      startJob: (leased) => this.startJob(leased),
      afterReply: (now, nextDue) => {
        this.collector?.wait();
        if (!this.closing) this.delayTimer.arm(now, nextDue);
      },
      onEmpty: () => {
        if (!this.busySinceDrained) return;
        this.busySinceDrained = false;
        this.notify('drained');
      },
      release: (jobs) =>
        void this.commands
          .release(jobs.map((j) => ({ id: j.id, token: j.token })))
          .catch((e) => this.reportError(e)),
      reportError: (err) => this.reportError(err),
      checkIdle: () => this.checkIdle(),
    });
  }

  private pump(): void {
    this.loop.pump();
  }

  private settleAcks(acks: PendingAck<Data, Result>[], stale: string[], now: number): void {
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

  private startJob(leased: LeasedJob): void {
    const job = new Job<Data, Result>({
      id: leased.id,
      queueName: this.name,
      record: leased.record,
      info: leased.info,
      state: 'active',
      started: tokenStart(leased.token),
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
    // Leased and renewed from now on; the handler sees it when its batch is formed.
    if (this.collector) return this.collector.add(running);
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

  private startBatch(members: Running<Data, Result>[]): void {
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

  private onSucceeded(running: Running<Data, Result>, value: Result): void {
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
  private untrack(running: Running<Data, Result>): void {
    if (this.inFlight.get(running.job.id) === running) this.inFlight.delete(running.job.id);
  }

  /**
   * Takes a running job from its handler (timeout, cancel): no more renewal, the signal fires,
   * and the attempt is recorded as failed now (with `reason`) whatever the handler does next.
   * Its slot is free at once, so a handler that ignores the signal cannot hold the worker up.
   */
  private fence(running: Running<Data, Result>, reason: SluiceError): void {
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
  private onCancel(id: string): void {
    const running = this.inFlight.get(id);
    if (running) this.fence(running, new JobCancelledError(id));
  }

  private async onFailed(running: Running<Data, Result>, err: unknown): Promise<void> {
    running.stopTimer?.();
    try {
      if (running.released) {
        // its outcome is no longer ours to record
      } else if (isRateLimit(err)) {
        const applied = await this.commands.rateLimit(running.job.id, running.token, err.delayMs);
        if (applied) this.notify('limited', running.job, err.delayMs);
        else this.notify('lease-lost', running.job.id);
      } else await this.recordFailure(running.job, running.token, err, false);
    } catch (bug) {
      // Nobody awaits this path: anything escaping here would end the process.
      this.reportError(bug);
    }
    this.untrack(running);
    this.pump();
  }

  /** A job that stalled too often: record the stall as a failed attempt (retry policy applies). */
  private async failTakenOver(leased: LeasedJob): Promise<void> {
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

  private async recordFailure(
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

  private onLeaseLost(id: string): void {
    const running = this.inFlight.get(id);
    if (!running || running.released) return;
    running.released = true; // reported once; no renewal, no ack
    const reason = new LeaseLostError(id);
    abortRunning(running, reason);
    running.batch?.noteReleased(reason);
    this.notify('lease-lost', id);
  }

  private checkIdle(): void {
    if (!this.closing) return;
    if (this.acks.length > 0 && this.loop.calls === 0 && !this.ended) this.pump();
    const running = [...this.inFlight.values()].some((r) => !r.released);
    const busy = this.loop.calls > 0 || this.loop.sendQueued;
    if (!running && this.acks.length === 0 && !busy && this.failing === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Emits to user listeners; a listener that throws must not break the worker's loop. */
  private notify<E extends Exclude<keyof WorkerEvents<Data, Result>, 'error'>>(
    event: E,
    ...args: WorkerEvents<Data, Result>[E]
  ): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.reportError(err);
    }
  }

  private reportError(err: unknown): void {
    const error = toError(err);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // Unheard connection errors are not worth a warning each: ioredis is already reconnecting.
    else if (!isConnectionError(error))
      process.emitWarning(`sluice worker ${this.name}: ${error.message}`);
  }
}
