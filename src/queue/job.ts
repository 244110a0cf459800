/**
 * A job as read from Redis, and the encoding of its record (see {@link decodeRecord}).
 */
import type { BackoffOptions } from './retry.js';
import type { JobReporter } from './worker/job-reporter.js';
import { JobError } from '../errors.js';

/** Metadata carried with a job, for tracing and for operators. */
export interface JobMeta {
  entityId?: string;
  userId?: string;
  correlationId?: string;
  [key: string]: unknown;
}

/** Options stored with a job (serialisable). */
export interface StoredJobOptions {
  /** Per-job override of the queue's `maxAttempts`. */
  maxAttempts?: number;
  /** Per-job override of the queue's back-off. */
  backoff?: BackoffOptions;
  meta?: JobMeta;
  /** De-duplication key the job holds (see `AddOptions.dedupKey`). */
  dedupKey?: string;
  /** The entity the job is indexed under (see `AddOptions.entity`). */
  entity?: string;
  /** Ordered group of the job (see `AddOptions.group`). */
  group?: string;
  /** Per-job override of the worker's `timeoutMs`. */
  timeoutMs?: number;
  /** W3C `traceparent` of the producer's active span (only when one was active; see telemetry). */
  tp?: string;
}

/** One failed attempt, as kept in the job's history. */
export interface AttemptRecord {
  /** When it failed (ms since epoch, Redis clock). */
  at: number;
  error: string;
  stack?: string;
  /** True when the attempt ended because the job stalled (its lease expired). */
  stalled?: boolean;
  /** When the attempt started (ms, Redis clock; absent for attempts of older versions). */
  startedAt?: number;
}

/** The state a job is in. */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/** Mutable state of a job, kept in the `info` hash. */
interface JobInfo {
  attempts?: number;
  stalls?: number;
  totalStalls?: number;
  history?: AttemptRecord[] | Record<string, never>;
  failedReason?: string;
  retriedByHand?: number;
  /** A flow parent's children: how many have yet to finish, and each one's outcome. */
  flow?: {
    pending: number;
    policy: string;
    children: Record<string, { s: 'completed' | 'failed'; r?: string; e?: string }>;
  };
}

/** Outcome of one child of a flow parent (see {@link Job.childResults}). */
export interface ChildResult<Result = unknown> {
  queue: string;
  id: string;
  status: 'completed' | 'failed';
  /** The child's return value (completed children that returned one). */
  result?: Result;
  /** The child's last error message (failed children). */
  error?: string;
}

/** A job. Instances are snapshots: re-read with `queue.getJob(id)` to see later changes. */
export class Job<Data = unknown, Result = unknown> {
  /** The job's id: automatic (decimal) or given by the producer. */
  readonly id: string;
  /** The queue it belongs to. */
  readonly queueName: string;
  /** Free-form name (BullMQ's job name); '' when none was given. */
  readonly name: string;
  readonly data: Data;
  readonly priority: number;
  readonly options: StoredJobOptions;
  /** When it was added (ms since epoch, Redis clock). */
  readonly createdAt: number;
  /**
   * Attempts that ended, failed or completed (BullMQ's meaning): failed attempts, plus 1 once the
   * job completed. A running attempt is number `attemptsMade + 1`. Stalls are not counted.
   */
  readonly attemptsMade: number;
  /**
   * Attempts that started (BullMQ's meaning): ended ones, the running one, and those that ended
   * in a stall (lease expired) without an outcome.
   */
  readonly attemptsStarted: number;
  /** Start of the current (running) or last attempt, ms since epoch (Redis clock). */
  readonly processedOn: number | undefined;
  /** When the job completed or failed for good, ms since epoch (Redis clock). */
  readonly finishedOn: number | undefined;
  /** Stalls (expired leases) since the last failed attempt. */
  readonly stalls: number;
  /** Stalls over the job's life. */
  readonly totalStalls: number;
  /** Failed attempts, oldest first (the most recent ones, bounded). */
  readonly history: AttemptRecord[];
  readonly failedReason: string | undefined;
  /** State when read (only set by reads that know it). */
  readonly state: JobState | undefined;
  /** Return value of a completed job. */
  readonly returnValue: Result | undefined;
  /** Finish time (completed/failed), due time (delayed) or lease deadline (active), in ms. */
  readonly timestamp: number | undefined;
  /** The last progress its handler reported with {@link Job.progress} (when read by `getJob`). */
  readonly progressValue: unknown;
  /** The log lines its handler wrote with {@link Job.log}, oldest first (when read by `getJob`). */
  readonly logs: readonly string[];
  /** @internal set by the worker on the job it hands its handler */
  reporter: JobReporter | undefined;
  private readonly flow: JobInfo['flow'];

  /** @internal */
  constructor(init: {
    id: string;
    queueName: string;
    record: string;
    info?: string;
    result?: string;
    state?: JobState;
    score?: string;
    progress?: string;
    logs?: string;
    /** Start of the running attempt (ms): set for a job that runs now. */
    started?: string;
  }) {
    this.id = init.id;
    this.queueName = init.queueName;
    const { createdAt, priority, body } = decodeRecord(init.record);
    this.createdAt = createdAt;
    this.priority = priority;
    this.name = body.n ?? '';
    this.data = body.d as Data;
    this.options = body.o ?? {};
    const info: JobInfo = init.info ? (JSON.parse(init.info) as JobInfo) : {};
    this.stalls = info.stalls ?? 0;
    this.totalStalls = info.totalStalls ?? 0;
    this.history = Array.isArray(info.history) ? info.history : [];
    const completed = init.state === 'completed';
    const running = init.started !== undefined && init.started !== '';
    this.attemptsMade = (info.attempts ?? 0) + (completed ? 1 : 0);
    this.attemptsStarted = this.attemptsMade + this.totalStalls + (running ? 1 : 0);
    // A completed job read back has no start time (none is stored at completion: no extra
    // write per job); the worker's own copy, which its events carry, has it.
    this.processedOn = running
      ? Number(init.started)
      : completed
        ? undefined
        : this.history.at(-1)?.startedAt;
    this.finishedOn =
      (completed || init.state === 'failed') && init.score ? Number(init.score) : undefined;
    this.failedReason = info.failedReason;
    this.flow = info.flow;
    this.state = init.state;
    this.returnValue = init.result ? (JSON.parse(init.result) as Result) : undefined;
    this.timestamp = init.score ? Number(init.score) : undefined;
    this.progressValue = init.progress ? (JSON.parse(init.progress) as unknown) : undefined;
    this.logs = init.logs ? (JSON.parse(init.logs) as string[]) : [];
  }

  /**
   * Reports the job's progress (any JSON value of at most 4 KiB; the last one is kept), from the
   * handler that runs it. Readers see it with `getJob` and the queue's `progress` event. Throws
   * `SLC_ERR_LEASE_LOST` once the handler no longer holds the job.
   * @example
   * ```ts
   * new Worker('export', async (job) => { await job.progress({ done: 10, of: 200 }); });
   * ```
   */
  async progress(value: unknown): Promise<void> {
    return this.running().progress(value);
  }

  /**
   * Appends a line to the job's log (lines over 2,048 characters are cut; the newest 100 lines
   * and 16 KiB are kept), from the handler that runs it. Resolves to the lines kept.
   */
  async log(line: string): Promise<number> {
    return this.running().log(line);
  }

  private running(): JobReporter {
    if (!this.reporter)
      throw new JobError(
        'SLC_ERR_JOB_STATE',
        this.id,
        `job ${this.id}: progress and logs are written by the handler that runs it`,
      );
    return this.reporter;
  }

  /** The job's ordered group, if it was added with one. */
  get group(): string | undefined {
    return this.options.group;
  }

  /** Metadata given at `add` (entity id, user id, correlation id, free-form). */
  get meta(): JobMeta {
    return this.options.meta ?? {};
  }

  /**
   * The outcomes of a flow parent's children that have finished (all of them, once the parent
   * runs; a failed child is here when the parent's policy is `onChildFailure: 'ignore'`).
   * Empty for a job that is not a flow parent.
   * @example
   * ```ts
   * new Worker('report', async (job) => job.childResults().map((c) => c.result));
   * ```
   */
  childResults<R = unknown>(): ChildResult<R>[] {
    const out: ChildResult<R>[] = [];
    for (const [ref, o] of Object.entries(this.flow?.children ?? {})) {
      const bar = ref.indexOf('|');
      const c: ChildResult<R> = { queue: ref.slice(0, bar), id: ref.slice(bar + 1), status: o.s };
      if (o.r) c.result = JSON.parse(o.r) as R;
      if (o.e !== undefined) c.error = o.e;
      out.push(c);
    }
    return out;
  }

  /** Children of a flow parent that have yet to finish (0 for any other job). */
  get pendingChildren(): number {
    return this.flow?.pending ?? 0;
  }

  /**
   * @internal A copy of the worker's job brought up to date when the attempt it ran ended (what
   * its events carry; the handler's own snapshot stays as it was): `at` is the end time on
   * Redis's clock.
   */
  attemptEnded(
    at: number,
    outcome:
      | { completed: true; value: unknown }
      | { completed: false; entry: Omit<AttemptRecord, 'at'>; retryDelayMs: number | undefined },
  ): this {
    // A spread then the prototype: ~6× faster than Object.assign onto Object.create (this runs
    // for every completed job someone listens for).
    const proto = Object.getPrototypeOf(this) as object;
    const ended = { attemptsMade: this.attemptsMade + 1, timestamp: at, reporter: undefined };
    if (outcome.completed)
      return Object.setPrototypeOf(
        { ...this, ...ended, state: 'completed', finishedOn: at, returnValue: outcome.value },
        proto,
      ) as this;
    const entry = { ...outcome.entry, at, startedAt: this.processedOn };
    const retry = outcome.retryDelayMs;
    return Object.setPrototypeOf(
      {
        ...this,
        ...ended,
        state: retry === undefined ? 'failed' : retry > 0 && !this.group ? 'delayed' : 'waiting',
        finishedOn: retry === undefined ? at : undefined,
        failedReason: entry.error,
        history: [...this.history, entry],
        stalls: 0,
      },
      proto,
    ) as this;
  }

  /** A plain-object view (for JSON APIs and logs). */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      queue: this.queueName,
      name: this.name,
      data: this.data,
      priority: this.priority,
      options: this.options,
      createdAt: this.createdAt,
      attemptsMade: this.attemptsMade,
      attemptsStarted: this.attemptsStarted,
      processedOn: this.processedOn,
      finishedOn: this.finishedOn,
      stalls: this.stalls,
      totalStalls: this.totalStalls,
      history: this.history,
      failedReason: this.failedReason,
      state: this.state,
      returnValue: this.returnValue,
      timestamp: this.timestamp,
      progress: this.progressValue,
      logs: this.logs,
    };
  }
}

/** @internal Start of the attempt a lease token belongs to (fetch ends tokens in `@<ms>`). */
export function tokenStart(token: string): string | undefined {
  // (a scan, not a RegExp: this runs for every job a worker starts)
  const at = token.lastIndexOf('@');
  if (at < 0 || at === token.length - 1) return undefined;
  for (let i = at + 1; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return token.slice(at + 1);
}

interface RecordBody {
  n?: string;
  d: unknown;
  o?: StoredJobOptions;
}

/** Builds the JSON body of a record from already-serialised data. */
/**
 * Builds the part of a record after its header (layout 2): `<name>|<options JSON>|<data JSON>`.
 * The name has no `|` (validated) and `|` inside the options JSON is written as `\u007c`, so
 * the first fields split on `|` and the data, last, may hold anything.
 */
export function encodeBody(
  name: string,
  dataJson: string,
  options: StoredJobOptions | undefined,
): string {
  const opts =
    options && Object.keys(options).length > 0
      ? JSON.stringify(options).replaceAll('|', '\\u007c')
      : '';
  return `${name}|${opts}|${dataJson}`;
}

/**
 * Splits a record into its header fields and parsed body. Two layouts are read:
 * - 2: `#<created ms, base 36>[.<seq, base 36>]|<priority>|<name>|<options JSON or ''>|<data JSON>`
 *   (`seq`, written for jobs added with a delay, orders jobs due at the same time)
 * - 1: `<created ms>|<priority>|{"n"?:name,"d":data,"o"?:options}`
 */
export function decodeRecord(record: string): {
  createdAt: number;
  priority: number;
  body: RecordBody;
} {
  const a = record.indexOf('|');
  const b = record.indexOf('|', a + 1);
  const priority = Number(record.slice(a + 1, b));
  if (record.charCodeAt(0) !== 35 /* # */) {
    return {
      createdAt: Number(record.slice(0, a)),
      priority,
      body: JSON.parse(record.slice(b + 1)) as RecordBody,
    };
  }
  const c = record.indexOf('|', b + 1);
  const d = record.indexOf('|', c + 1);
  const name = record.slice(b + 1, c);
  const opts = record.slice(c + 1, d);
  const body: RecordBody = { d: JSON.parse(record.slice(d + 1)) };
  if (name) body.n = name;
  if (opts) body.o = JSON.parse(opts) as StoredJobOptions;
  // parseInt stops at the `.` before an enqueue sequence, if there is one.
  return { createdAt: parseInt(record.slice(1, a), 36), priority, body };
}
