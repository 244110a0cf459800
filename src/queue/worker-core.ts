/**
 * The base of {@link Worker}: its state, connections and background components, the fetch
 * loop's wiring, start and shutdown. Running jobs and recording their outcomes is in
 * `worker.ts` (one class, split by responsibility; only `Worker` is public).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { isConnectionError, openConnection, type RedisClient } from '../redis/connection.js';
import { CommandConnection, toConnectionRetry } from '../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, queuePartitionKeys } from '../redis/keys.js';
import { QueueCommands, type LeasedJob, type Retention } from './commands/commands.js';
import type { Heartbeat } from './worker/tasks/heartbeat.js';
import type { LeaseReaper } from './worker/tasks/lease-reaper.js';
import type { RetentionJanitor } from './worker/tasks/retention-janitor.js';
import type { RetryPolicy } from './retry.js';
import { validateName } from '../validate.js';
import { toError } from '../thrown.js';
import { NameRegistration } from '../registry.js';
import type { WakeListener } from './worker/fetching/wake-listener.js';
import type { Worker } from './worker.js';
import type { Scheduler } from './schedules/scheduler.js';
import { DelayTimer } from './worker/fetching/delay-timer.js';
import {
  resolveWorkerOptions,
  type BatchWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';
import { type BatchProcessor } from './batch.js';
import { BatchCollector } from './worker/batch-collector.js';
import type { CancelListener } from './worker/tasks/cancel-listener.js';
import type { FlowRelayTask } from './flows/flow-relay.js';
import { partitionSlot } from './partitions/partition-layout.js';
import { PartitionSiblings } from './partitions/partitioned-worker.js';
import { SlotBudget } from './worker/fetching/slot-budget.js';
import { wireComponents } from './worker/components.js';
import { FetchLoop } from './worker/fetching/fetch-loop.js';
import { Prefetch } from './worker/fetching/prefetch.js';
import { badTimeout, settlesWithin } from '../timeout.js';
import { HandBack } from './worker/hand-back.js';
import { type OutcomeDeps } from './worker/failure.js';
import {
  type PendingAck,
  type Processor,
  type Running,
  type WorkerEvents,
} from './worker/types.js';

/** @internal */
export abstract class WorkerCore<Data = unknown, Result = unknown> extends EventEmitter<
  WorkerEvents<Data, Result>
> {
  readonly name: string;
  protected readonly prefix: string;
  readonly id = randomBytes(6).toString('base64url');
  protected readonly conn: CommandConnection;
  protected readonly client: RedisClient;
  protected readonly blockingClient: RedisClient;
  protected readonly commands: QueueCommands;
  protected readonly concurrency: number;
  protected readonly leaseMs: number;
  /** Ahead of its due time a delayed job may be taken (ms; the option `delayedLeadMs`). */
  protected readonly delayedLeadMs: number;
  /** The last reply's Redis time, whole ms, as a token ends in it (startJob compares them). */
  protected replyMs = '';
  protected readonly retry: RetryPolicy;
  protected readonly keepCompleted: Retention;
  protected readonly keepFailed: Retention;
  protected readonly historyLimit: number;
  protected readonly maxResultBytes: number;
  protected readonly heartbeat: Heartbeat;
  protected readonly reaper: LeaseReaper;
  protected readonly janitor: RetentionJanitor;
  protected readonly wake: WakeListener;
  protected readonly cancels: CancelListener;
  protected readonly timeoutMs: number | undefined;
  protected readonly scheduler: Scheduler | undefined;
  protected readonly flows: FlowRelayTask;
  protected readonly outcomes: OutcomeDeps<Data, Result>;

  /** Jobs this worker holds a lease of: running, held (prefetched), or forming a batch. */
  protected readonly inFlight = new Map<string, Running<Data, Result>>();
  /** Handlers running (single-job handlers; a slot freed by a fence is not counted). */
  protected handlers = 0;
  /** Jobs fetched beyond `concurrency`, waiting for a slot (see worker/fetching/prefetch.ts). */
  protected readonly prefetch: Prefetch<Running<Data, Result>>;
  /** Gives held, collected and (on a timed-out close) running jobs back to the queue. */
  protected readonly handBack: HandBack<Data, Result>;
  protected acks: PendingAck<Data, Result>[] = [];
  protected failing = 0;
  protected seq = 0;
  protected readonly loop: FetchLoop<Data, Result>;
  protected busySinceDrained = false;
  protected readonly delayTimer = new DelayTimer(() => this.loop.fetchNow());
  protected started = false;
  /** Set once the command connection is being closed: nothing more is sent. */
  protected ended = false;
  protected closing: Promise<void> | undefined;
  protected idleWaiters: (() => void)[] = [];
  protected readonly processor: Processor<Data, Result> | undefined;
  protected readonly batchProcessor: BatchProcessor<Data, Result> | undefined;
  /** Forms batches (batch handlers only); a batch takes one of `concurrency` slots. */
  protected readonly collector: BatchCollector<Running<Data, Result>> | undefined;
  protected batchesRunning = 0;
  /** With `partitions`: the shared slot budget, and (on the owner) the sibling workers. */
  protected readonly part: { budget: SlotBudget; member: number } | undefined;
  protected readonly siblings: PartitionSiblings | undefined;

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
    this.delayedLeadMs = settings.delayedLeadMs;
    this.retry = settings.retry;
    this.keepCompleted = settings.keepCompleted;
    this.keepFailed = settings.keepFailed;
    this.historyLimit = settings.historyLimit;
    this.maxResultBytes = settings.maxResultBytes;
    this.timeoutMs = settings.timeoutMs;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const n = options.partitions ?? 1;
    const slot = partitionSlot(options) ?? (n > 1 ? { index: 0 } : undefined);
    // The one place that decides who never prefetches (an allowance of 0 everywhere after): a
    // batch worker (a batch forms from one fetch) and a partition member, owner or sibling (its
    // slots are a shared budget).
    this.prefetch = new Prefetch(
      this.concurrency,
      slot || settings.batch ? 0 : settings.prefetch,
      (held) => void this.handBack.held(held),
    );
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
    this.handBack = new HandBack<Data, Result>({
      commands: this.commands,
      inFlight: this.inFlight,
      prefetch: this.prefetch,
      isEnded: () => this.ended,
      reportError: (err) => this.reportError(err),
      pump: () => this.pump(),
    });
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
        new.target as unknown as typeof Worker,
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

  /** Number of jobs running now (held prefetched jobs not counted; batch members counted). */
  get running(): number {
    const own = this.collector ? this.inFlight.size : this.handlers;
    return own + (this.siblings?.running ?? 0);
  }

  /**
   * Stops taking jobs and waits up to `timeoutMs` for running ones to finish; jobs still running
   * then are released to waiting (their handlers see `signal` aborted, and their outcome is not
   * recorded). Resolves when the worker's connections are closed. `Infinity` waits as long as
   * the handlers take; a timeout that is not a number >= 0 is refused (`SLC_ERR_INVALID_OPTIONS`).
   */
  close(timeoutMs = 30_000): Promise<void> {
    // a bad timeout is refused and starts no close (a later close() with a good one still can)
    return (
      this.closing ??
      badTimeout(timeoutMs, 'close timeoutMs') ??
      (this.closing = this.shutdown(timeoutMs))
    );
  }

  protected async shutdown(timeoutMs: number): Promise<void> {
    const siblings = this.siblings?.close(timeoutMs);
    this.delayTimer.stop();
    // a wait under way is ended and its reply awaited: jobs it took go back at once
    await this.wake.stop(
      (id) => this.client.client('UNBLOCK', id),
      () => this.client.lpush(this.commands.keys.marker, '1'),
    );
    await this.handBack.collected(this.collector?.take() ?? []);
    this.prefetch.stop();
    await this.handBack.held(this.prefetch.takeAll());
    await this.reaper.stop();
    await this.janitor.stop();
    await this.scheduler?.close();
    const timedOut = !(await this.settled(timeoutMs));
    await this.heartbeat.stop();
    this.cancels.stop();
    if (timedOut) {
      await this.handBack.running();
      // Results already in hand are still worth recording before the connection goes.
      await this.settled(2000);
    }
    await this.flows.stop();
    this.ended = true;
    await this.conn.close();
    await siblings;
  }

  /** Resolves true once nothing of ours runs or waits to be recorded, false after `timeoutMs`. */
  protected async settled(timeoutMs: number): Promise<boolean> {
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.checkIdle();
    return settlesWithin(idle, timeoutMs);
  }

  /** Jobs to ask for now; `prefetch`: with what may be held beyond the slots (worker/fetching/prefetch.ts). */
  protected freeSlots(prefetch = false): number {
    if (this.closing) return 0;
    // Batches: fill the one being formed while a batch slot is free.
    if (this.collector)
      return this.batchesRunning < this.concurrency
        ? this.collector.size - this.collector.length
        : 0;
    const held = prefetch ? this.prefetch.allowance() : 0;
    return this.concurrency + held - this.inFlight.size;
  }

  protected nextTokenBase(): string {
    return `${this.id}:${++this.seq}`;
  }

  protected fetchLoop(): FetchLoop<Data, Result> {
    return new FetchLoop<Data, Result>({
      commands: this.commands,
      wake: this.wake,
      capacity: () => this.concurrency + this.prefetch.allowance(),
      leaseMs: this.leaseMs,
      // batch and partitioned workers take no delayed job ahead (a batch forms from one fetch;
      // partition slots are a shared budget)
      leadMs: this.collector || this.part ? 0 : this.delayedLeadMs,
      keepCompleted: this.keepCompleted,
      batches: this.collector !== undefined,
      part: this.part,
      isStarted: () => this.started,
      isClosing: () => this.closing !== undefined,
      isEnded: () => this.ended || this.client.status === 'end',
      freeSlots: (prefetch) => this.freeSlots(prefetch),
      takeAcks: (max) => {
        // never hand out the live array: a caller keeps what it took
        const acks = this.acks;
        if (acks.length <= max) {
          this.acks = [];
          return acks;
        }
        this.acks = acks.slice(max);
        return acks.slice(0, max);
      },
      pendingAcks: () => this.acks.length,
      putBackAcks: (acks) => void (this.acks = acks.concat(this.acks)),
      running: () => this.inFlight.size,
      tokenBase: () => this.nextTokenBase(),
      settleAcks: (acks, stale, now) => this.settleAcks(acks, stale, now),
      observeClock: (now) => {
        this.delayTimer.observe(now);
        this.replyMs = String(Math.floor(now));
      },
      startJob: (leased) => this.startJob(leased),
      afterReply: (now, nextDue) => {
        this.collector?.wait();
        if (!this.closing) this.delayTimer.arm(now, nextDue);
        // a call in flight as the worker began closing: what it brought beyond the slots goes back
        else if (this.prefetch.length) void this.handBack.held(this.prefetch.takeAll());
      },
      onEmpty: () => {
        if (!this.busySinceDrained) return;
        this.busySinceDrained = false;
        this.notify('drained');
      },
      // (a job taken ahead of its due time goes back to `delayed`: release.lua)
      release: (jobs) =>
        void this.commands
          .release(jobs.map((j) => ({ id: j.id, token: j.token })))
          .catch((e) => this.reportError(e)),
      reportError: (err) => this.reportError(err),
      checkIdle: () => this.checkIdle(),
    });
  }

  protected pump(): void {
    this.loop.pump();
  }

  protected checkIdle(): void {
    if (!this.closing) return;
    if (this.acks.length > 0 && this.loop.calls === 0 && !this.ended) this.pump();
    const running = [...this.inFlight.values()].some((r) => !r.released);
    const busy = this.loop.calls > 0 || this.loop.sendQueued;
    if (!running && this.acks.length === 0 && !busy && this.failing === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Emits to user listeners; a listener that throws must not break the worker's loop. */
  protected notify<E extends Exclude<keyof WorkerEvents<Data, Result>, 'error'>>(
    event: E,
    ...args: WorkerEvents<Data, Result>[E]
  ): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.reportError(err);
    }
  }

  protected reportError(err: unknown): void {
    const error = toError(err);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // Unheard connection errors are not worth a warning each: ioredis is already reconnecting.
    else if (!isConnectionError(error))
      process.emitWarning(`sluice worker ${this.name}: ${error.message}`);
  }

  /** Starts a leased job (or adds it to the batch being formed). */
  protected abstract startJob(leased: LeasedJob): void;
  /** Runs a formed batch. */
  protected abstract startBatch(members: Running<Data, Result>[]): void;
  /** Records the acks a complete call settled (`stale`: rejected for a lost lease). */
  protected abstract settleAcks(
    acks: PendingAck<Data, Result>[],
    stale: string[],
    now: number,
  ): void;
  /** A job whose lease this worker lost. */
  protected abstract onLeaseLost(id: string): void;
  /** A cancel of a job this worker may hold. */
  protected abstract onCancel(id: string): void;
  /** A job that stalled too often, taken over to record the stall as a failed attempt. */
  protected abstract failTakenOver(leased: LeasedJob): Promise<void>;
}
