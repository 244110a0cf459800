/**
 * Worker: takes jobs of one queue under lease and runs them with a handler.
 *
 * One loop ("pump") does all fetching: it sends the acks of finished jobs and asks for as many
 * new jobs as there are free slots, in one script call. When the queue is empty it blocks on
 * Redis (see `WakeListener`) and arms a timer for the earliest delayed job. Background components
 * (heartbeat, lease reaper, retention janitor) run beside it.
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
import { QueueCommands, type CompleteReply, type LeasedJob, type Retention } from './commands.js';
import { Heartbeat } from './heartbeat.js';
import { Job, tokenStart } from './job.js';
import { LeaseReaper } from './lease-reaper.js';
import { RetentionJanitor } from './retention-janitor.js';
import { decideRetry, RateLimitError, type RetryDecision, type RetryPolicy } from './retry.js';
import { serialisePayload, validateName } from '../validate.js';
import { describeThrown, toError } from '../thrown.js';
import { NameRegistration } from '../registry.js';
import { WakeListener } from './wake-listener.js';
import { Scheduler } from './scheduler.js';
import { DelayTimer } from './delay-timer.js';
import { abortRunning, contextOf, type Abortable, type JobContext } from './job-context.js';
import {
  resolveWorkerOptions,
  type BatchWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';
import { BatchRun, type BatchProcessor } from './batch.js';
import { BatchCollector } from './batch-collector.js';
import { CancelListener } from './cancel-listener.js';
import { timeoutOf, watchTimeout } from './job-timeout.js';
import { JobReporter } from './job-reporter.js';
import { FlowRelayTask } from './flow-relay.js';
import { traceAttempt } from '../telemetry.js';
import { partitionSlot } from './partition-layout.js';
import { PartitionSiblings } from './partitioned-worker.js';
import { SlotBudget } from './slot-budget.js';

export type { WorkerOptions, BatchWorkerOptions } from './worker-options.js';
export type { BatchContext, BatchOptions, BatchProcessor } from './batch.js';

export type { JobContext } from './job-context.js';

/** The function that does a job's work; its return value is stored as the job's result. */
export type Processor<Data, Result> = (
  job: Job<Data, Result>,
  ctx: JobContext,
) => Promise<Result> | Result;

/** Events of a Worker. */
export interface WorkerEvents<Data, Result> {
  active: [job: Job<Data, Result>];
  completed: [job: Job<Data, Result>, result: Result];
  /** The job failed for good (dead letter). */
  failed: [job: Job<Data, Result>, error: unknown];
  /** An attempt failed; the job will run again after `delayMs`. */
  retrying: [job: Job<Data, Result>, error: unknown, delayMs: number];
  /** The handler threw a RateLimitError: the job's group (or the queue) waits `delayMs`. */
  limited: [job: Job<Data, Result>, delayMs: number];
  /** A job whose lease expired was returned to waiting by this worker. */
  stalled: [jobId: string];
  /** This worker's result for a job was rejected: it no longer held the lease (fencing). */
  'lease-lost': [jobId: string];
  /** The queue ran out of work and this worker has nothing running. */
  drained: [];
  error: [error: Error];
}

interface Running<Data, Result> extends Abortable {
  job: Job<Data, Result>;
  token: string;
  /**
   * Set when the job was released on shutdown or its lease was lost: its outcome is no longer
   * ours to record (the lease token is never handed out again, so an ack could only be rejected).
   */
  released: boolean;
  /** The batch it runs in (batch handlers only). */
  batch?: BatchRun<Data, Result>;
  /** Stops its timeout watchdog (jobs with a timeout only). */
  stopTimer?: () => void;
  /** Set when it was taken from its handler (timeout, cancel): the failure being recorded. */
  fenced?: Promise<void>;
}

interface PendingAck<Data, Result> {
  id: string;
  token: string;
  result: string;
  job: Job<Data, Result>;
  value: Result;
}

/** `instanceof` may itself throw for odd thrown values (a Proxy, a revoked one). */
function isRateLimit(err: unknown): err is RateLimitError {
  try {
    return err instanceof RateLimitError;
  } catch {
    return false;
  }
}

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

  private readonly inFlight = new Map<string, Running<Data, Result>>();
  private acks: PendingAck<Data, Result>[] = [];
  private failing = 0;
  private seq = 0;
  private pumping = false;
  private pumpAgain = false;
  private busySinceDrained = false;
  private readonly delayTimer = new DelayTimer(() => this.pump());
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
    // Commands give up after the retry budget (the loops report it and go on); ioredis keeps
    // reconnecting both connections in the background for as long as the worker runs.
    this.conn = new CommandConnection(
      options.connection,
      undefined,
      retry,
      `worker ${name}`,
      (err) => this.reportError(err),
    );
    this.client = this.conn.client;
    this.blockingClient = openConnection(options.connection, (err) => this.reportError(err));
    this.commands = new QueueCommands(this.conn, keys);
    const onError = (err: unknown) => this.reportError(err);
    this.heartbeat = new Heartbeat(
      this.commands,
      this.leaseMs,
      settings.heartbeatMs,
      () =>
        [...this.inFlight.values()]
          .filter((r) => !r.released)
          .map((r) => ({ id: r.job.id, token: r.token })),
      (id) => this.onLeaseLost(id),
      onError,
      (id) => this.onCancel(id),
    );
    this.reaper = new LeaseReaper(
      this.commands,
      {
        maxStalls: settings.maxStalls,
        leaseMs: this.leaseMs,
        intervalMs: settings.stallCheckMs,
        tokenBase: () => this.nextTokenBase(),
      },
      (id) => this.notify('stalled', id),
      (leased) => void this.failTakenOver(leased),
      onError,
    );
    this.janitor = new RetentionJanitor(
      this.commands,
      {
        keepCompleted: this.keepCompleted,
        keepFailed: this.keepFailed,
        intervalMs: settings.retentionCheckMs,
      },
      onError,
    );
    this.wake = new WakeListener(
      this.blockingClient,
      keys.marker,
      settings.idleWakeMs,
      () => this.freeSlots() > 0,
      () => this.pump(),
      onError,
    );
    this.cancels = new CancelListener(
      openConnection(options.connection, onError),
      keys.cancelChannel,
      (id) => this.onCancel(id),
      onError,
    );
    if (options.schedules !== false)
      this.scheduler = new Scheduler(name, { ...options, onError: (e) => this.reportError(e) });
    this.flows = new FlowRelayTask(this.conn, this.prefix, [name], settings.flowRelayMs, onError);
    const budget = slot && (slot.budget ?? new SlotBudget(this.concurrency));
    const inFlight = this.inFlight;
    const member = {
      get running() {
        return inFlight.size;
      },
      wake: () => this.pump(),
    };
    this.part = budget && { budget, member: budget.join(member) };
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
    this.wake.stop();
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

  /** Runs the fetch/ack loop unless it is running; if it is, makes it go round once more. */
  private pump(): void {
    if (!this.started) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop();
  }

  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        // Handlers that finish in this turn of the event loop join this call: one round trip
        // then acks (and refills) a whole batch instead of a few jobs at a time.
        if (this.inFlight.size > 0) await new Promise((r) => setImmediate(r));
        const acks = this.acks;
        const want = this.part
          ? this.part.budget.claim(this.part.member, this.freeSlots())
          : this.freeSlots();
        if (acks.length === 0 && want <= 0) break;
        this.acks = [];
        const tokenBase = this.nextTokenBase();
        let reply: CompleteReply;
        try {
          reply = acks.length
            ? await this.commands.complete(acks, this.keepCompleted, want, this.leaseMs, tokenBase)
            : { stale: [], ...(await this.commands.fetch(want, this.leaseMs, tokenBase)) };
        } catch (err) {
          this.part?.budget.settle(this.part.member, want, want);
          this.acks = acks.concat(this.acks);
          this.reportError(err);
          // A closed connection cannot record anything: those jobs come back by lease expiry.
          if (this.ended || this.client.status === 'end') {
            this.acks = [];
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
          this.pumpAgain = true;
          continue;
        }
        if (acks.length) this.settleAcks(acks, reply.stale, reply.now);
        for (const leased of reply.jobs) this.startJob(leased);
        this.part?.budget.settle(this.part.member, want, reply.jobs.length);
        this.collector?.wait();
        if (!this.closing) this.delayTimer.arm(reply.nowExact, reply.nextDue);
        if (reply.jobs.length < want) {
          if (reply.jobs.length === 0 && this.inFlight.size === 0 && this.busySinceDrained) {
            this.busySinceDrained = false;
            this.notify('drained');
          }
          this.wake.listen();
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
      this.checkIdle();
    }
  }

  private settleAcks(acks: PendingAck<Data, Result>[], stale: string[], now: number): void {
    const lost = new Set(stale);
    for (const a of acks) {
      if (lost.has(a.id)) this.notify('lease-lost', a.id);
      else {
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
    this.notify('active', job);
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
      const policy: RetryPolicy = {
        maxAttempts: job.options.maxAttempts ?? this.retry.maxAttempts,
        backoff: job.options.backoff ?? this.retry.backoff,
      };
      const attemptsMade = job.attemptsMade + 1;
      let decision: RetryDecision;
      try {
        decision = await decideRetry(policy, attemptsMade, err, job);
      } catch (policyErr) {
        // A custom back-off that throws: dead-letter the job (visible, retryable by hand)
        // rather than retry it on a guess, and say why.
        this.reportError(
          new Error(`back-off for job ${job.id} failed; job moved to failed`, { cause: policyErr }),
        );
        decision = { action: 'fail' };
      }
      // Whatever was thrown (null, a null-prototype object, a throwing getter), a bounded,
      // readable message. `at` is set by the script, on Redis's clock.
      const e = describeThrown(err);
      const entry = {
        error: e.message,
        stack: e.stack,
        ...(stalled ? { stalled: true } : {}),
      };
      // Redis may be briefly away: try a few times. If it stays away the lease expires and the
      // job is recovered as a stall, so nothing is lost either way.
      for (let attempt = 0; ; attempt++) {
        try {
          const applied = await this.commands.fail(
            job.id,
            token,
            decision,
            entry,
            this.keepFailed,
            this.historyLimit,
          );
          if (!applied) {
            this.notify('lease-lost', job.id);
            return;
          }
          const retryDelayMs = decision.action === 'retry' ? decision.delayMs : undefined;
          const ended = job.attemptEnded(applied, { completed: false, entry, retryDelayMs });
          if (retryDelayMs !== undefined) this.notify('retrying', ended, err, retryDelayMs);
          else this.notify('failed', ended, err);
          return;
        } catch (redisErr) {
          this.reportError(redisErr);
          if (attempt >= 5 || this.client.status === 'end') return;
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        }
      }
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
    if (this.acks.length > 0 && !this.pumping && !this.ended) this.pump();
    const running = [...this.inFlight.values()].some((r) => !r.released);
    if (!running && this.acks.length === 0 && !this.pumping && this.failing === 0) {
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
