/** Options of `add`, their validation, and their translation into what the `add` script takes. */
import { activeTraceparent } from '../telemetry.js';
import { ValidationError } from '../errors.js';
import type { AddSpec } from './commands/commands.js';
import { encodeBody, type JobMeta, type JobState, type StoredJobOptions } from './job.js';
import type { DurableOptions, QueueOptions } from './queue.js';
import type { BackoffOptions } from './retry.js';
import { backoffProblems } from './worker-options.js';
import {
  MAX_AGE_MS,
  MAX_BYTES,
  MAX_INTERVAL_MS,
  connectionProblem,
  intProblem,
  isOptionsObject,
  jobIdProblem,
  knownKeys,
  optionsArg,
  prefixProblem,
  pushUnknownKeys,
  serialisePayload,
  shown,
} from '../validate.js';

/** Named priority levels; any integer in [-1000, 1000] works too (higher runs first). */
export const PRIORITY = { high: 10, normal: 0, low: -10 } as const;

/** Options of one job, given to `add`. */
export interface AddOptions {
  /**
   * Your own id. Adding an id that exists returns the existing job and adds nothing, so a
   * producer may retry an `add` safely. Not all digits (those are automatic ids).
   */
  id?: string;
  /** Run no earlier than this many ms from now (at most 10 years). */
  delay?: number;
  /** Run no earlier than this time (Date or ms since epoch, producer's clock; at most 10 years ahead). */
  runAt?: Date | number;
  /** `high | normal | low` or an integer in [-1000, 1000]; higher runs first; FIFO within one. */
  priority?: keyof typeof PRIORITY | number;
  /** Entity id, user id, correlation id and free-form metadata. */
  meta?: JobMeta;
  /** Per-job override of the worker's retry policy. */
  maxAttempts?: number;
  /** Per-job override of the worker's back-off. */
  backoff?: BackoffOptions;
  /**
   * De-duplication key: while a job with this key is waiting, delayed or active, `add` returns
   * that job (`created: false`) instead of adding another.
   */
  dedupKey?: string;
  /** Keep de-duplicating for this many ms after the holder finished (default 0; at most 10 years). */
  dedupTtlMs?: number;
  /**
   * De-duplicate for this many ms from the holder's add, whatever its state (BullMQ's
   * `deduplication.ttl`): once the window is over, `add` creates a new job even while the
   * holder still waits or runs. Instead of `dedupTtlMs`, not with it (at most 10 years).
   */
  dedupWindowMs?: number;
  /**
   * Indexes the job under this entity (an account, a user: 1–256 characters, no `|`), so that
   * `queue.getEntityJobs(entity)` lists it with its state, newest first, without scanning the
   * queue. Costs one sorted-set member per job, removed with the job. See docs/groups.md#per-entity-index.
   */
  entity?: string;
  /**
   * Ordered group (e.g. an account): jobs of one group run one at a time (or up to the queue's
   * `groupConcurrency`) in enqueue order, across all workers; groups are served round-robin.
   * 1–256 characters, no NUL. See docs/groups.md.
   */
  group?: string;
  /**
   * Longest this job's attempt may run, in ms (1 ms – 24 h): past it the handler's `signal`
   * fires and the attempt fails with `SLC_ERR_TIMEOUT` (the retry policy applies). Overrides the
   * worker's `timeoutMs`.
   */
  timeoutMs?: number;
}

/** A job for `addBulk`. */
export interface BulkJob<Data> {
  name?: string;
  data: Data;
  opts?: AddOptions;
}

/** The options `add` takes, and what other libraries' users may reach for instead. */
const ADD_KEYS = knownKeys(
  [
    'id',
    'delay',
    'runAt',
    'priority',
    'meta',
    'maxAttempts',
    'backoff',
    'dedupKey',
    'dedupTtlMs',
    'dedupWindowMs',
    'entity',
    'group',
    'timeoutMs',
  ],
  {
    jobId: 'id',
    attempts: 'maxAttempts',
    timestamp: 'runAt',
    deduplication: 'dedupKey with dedupTtlMs (after finish) or dedupWindowMs (from the add)',
    removeOnComplete: 'keepCompleted on the Worker',
    removeOnFail: 'keepFailed on the Worker',
    sizeLimit: 'maxPayloadBytes on the Queue',
    lifo: '',
    repeat: '',
    parent: '',
    stackTraceLimit: '',
    keepLogs: '',
  },
);

/** The fields of a job given to `addBulk`. */
const BULK_KEYS = knownKeys(['name', 'data', 'opts'], { options: 'opts' });

/**
 * Checks a job given to `addBulk` (at index `i`) and returns its parts; throws
 * `SLC_ERR_INVALID_OPTIONS` for what is not a `{ name?, data, opts? }` object.
 */
export function bulkJobParts(job: unknown, i: number): BulkJob<unknown> {
  const problems: string[] = [];
  if (!isOptionsObject(job))
    problems.push(`job ${i} must be an object { name?, data, opts? }, got ${shown(job)}`);
  else {
    pushUnknownKeys(job, BULK_KEYS, `job ${i}: `, problems);
    if (job.name !== undefined && typeof job.name !== 'string')
      problems.push(`job ${i}: name must be a string`);
  }
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return job as unknown as BulkJob<unknown>;
}

/** Checks the array given to `addBulk`. */
export function bulkProblem(jobs: unknown, what = 'addBulk'): void {
  if (!Array.isArray(jobs))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${what} takes an array of jobs, got ${shown(jobs)}`,
    ]);
}

/** Checks and serialises one job; throws a typed error listing every problem. */
export function toAddSpec(
  name: string,
  data: unknown,
  opts: AddOptions | undefined,
  maxPayloadBytes: number,
): AddSpec {
  const problems: string[] = [];
  const o: AddOptions = opts ?? {};
  if (opts !== undefined && !isOptionsObject(opts))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `options must be an object, got ${shown(opts)}`,
    ]);
  if (opts !== undefined) pushUnknownKeys(o, ADD_KEYS, '', problems);
  if (typeof name !== 'string') problems.push('job name must be a string');
  else if (name.length > 256 || name.includes('|'))
    problems.push('job name must be at most 256 characters, without |');
  if (o.id !== undefined) {
    const p = jobIdProblem(o.id);
    if (p) problems.push(p);
  }
  let delayMs = 0;
  if (o.delay !== undefined) {
    if (
      typeof o.delay !== 'number' ||
      !Number.isFinite(o.delay) ||
      o.delay < 0 ||
      o.delay > MAX_AGE_MS
    )
      problems.push(
        `delay must be a number of ms from 0 to ${MAX_AGE_MS} (10 years), got ${shown(o.delay)}`,
      );
    else delayMs = Math.round(o.delay);
  }
  if (o.runAt !== undefined) {
    const at = o.runAt instanceof Date ? o.runAt.getTime() : o.runAt;
    if (typeof at !== 'number' || !Number.isFinite(at))
      problems.push('runAt must be a Date or ms since epoch');
    else if (o.delay !== undefined) problems.push('give delay or runAt, not both');
    else {
      delayMs = Math.max(0, Math.round(at - Date.now()));
      if (delayMs > MAX_AGE_MS) problems.push('runAt must be at most 10 years ahead');
    }
  }
  let priority = 0;
  if (o.priority !== undefined) {
    if (typeof o.priority === 'string' && Object.hasOwn(PRIORITY, o.priority))
      priority = PRIORITY[o.priority];
    else if (
      typeof o.priority === 'number' &&
      Number.isInteger(o.priority) &&
      Math.abs(o.priority) <= 1000
    )
      priority = o.priority;
    else problems.push(`priority must be high | normal | low or an integer in [-1000, 1000]`);
  }
  if (o.maxAttempts !== undefined) {
    const p = intProblem('options.maxAttempts', o.maxAttempts, 1);
    if (p) problems.push(p);
  }
  if (o.backoff !== undefined) {
    if (typeof o.backoff === 'function')
      problems.push('options.backoff must be fixed or exponential (a function cannot be stored)');
    else backoffProblems(o.backoff, 'options.backoff', problems);
  }
  if (
    o.meta !== undefined &&
    (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta))
  )
    problems.push('meta must be an object');
  if (
    o.dedupKey !== undefined &&
    (typeof o.dedupKey !== 'string' || o.dedupKey.length < 1 || o.dedupKey.length > 256)
  )
    problems.push('dedupKey must be a string of 1–256 characters');
  if (
    o.entity !== undefined &&
    (typeof o.entity !== 'string' ||
      o.entity.length < 1 ||
      o.entity.length > 256 ||
      o.entity.includes('|'))
  )
    problems.push('entity must be a string of 1–256 characters, without |');
  if (o.dedupTtlMs !== undefined) {
    const p = intProblem('dedupTtlMs', o.dedupTtlMs, 0, MAX_AGE_MS);
    if (p) problems.push(p);
    else if (o.dedupKey === undefined) problems.push('dedupTtlMs needs a dedupKey');
  }
  if (o.dedupWindowMs !== undefined) {
    const p = intProblem('dedupWindowMs', o.dedupWindowMs, 1, MAX_AGE_MS);
    if (p) problems.push(p);
    else if (o.dedupKey === undefined) problems.push('dedupWindowMs needs a dedupKey');
    else if (o.dedupTtlMs !== undefined)
      problems.push('dedupWindowMs and dedupTtlMs cannot be used together');
  }
  if (
    o.group !== undefined &&
    (typeof o.group !== 'string' ||
      o.group.length < 1 ||
      o.group.length > 256 ||
      o.group.includes('\0'))
  )
    problems.push('group must be a string of 1–256 characters without NUL');
  if (o.timeoutMs !== undefined) {
    const p = intProblem('timeoutMs', o.timeoutMs, 1, MAX_INTERVAL_MS);
    if (p) problems.push(p);
  }
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);

  const dataJson = serialisePayload(data, maxPayloadBytes);
  let stored: StoredJobOptions | undefined;
  if (
    o.maxAttempts !== undefined ||
    o.backoff !== undefined ||
    o.meta !== undefined ||
    o.dedupKey !== undefined ||
    o.entity !== undefined ||
    o.group !== undefined ||
    o.timeoutMs !== undefined
  ) {
    stored = {};
    // Stored so that deleting the job can find its index member (lua/includes/retention.lua).
    if (o.entity !== undefined) stored.entity = o.entity;
    // Stored so that retry-failed can put the job back in its group.
    if (o.group !== undefined) stored.group = o.group;
    // Stored so that deleting the job can release its key (see releaseDedup in lua/includes/retention.lua).
    if (o.dedupKey !== undefined) stored.dedupKey = o.dedupKey;
    if (o.maxAttempts !== undefined) stored.maxAttempts = o.maxAttempts;
    if (o.backoff !== undefined) stored.backoff = o.backoff;
    if (o.timeoutMs !== undefined) stored.timeoutMs = o.timeoutMs;
    if (o.meta !== undefined) {
      serialisePayload(o.meta, maxPayloadBytes, 'meta');
      stored.meta = o.meta;
    }
  }
  // The producer's trace context travels with the job, only when a span is active.
  const tp = activeTraceparent();
  if (tp) (stored ??= {}).tp = tp;
  return {
    id: o.id ?? '',
    priority,
    delayMs,
    dedupKey: o.dedupKey ?? '',
    dedupTtlMs: o.dedupTtlMs ?? 0,
    dedupWindowMs: o.dedupWindowMs ?? 0,
    entity: o.entity ?? '',
    body: encodeBody(name, dataJson, stored),
    group: o.group ?? '',
  };
}

// ---- Queue options and the arguments of its methods ----

/** What a Queue is built from, checked and with defaults applied. */
export interface QueueSettings {
  connection: QueueOptions['connection'];
  prefix: string | undefined;
  maxPayloadBytes: number;
  /** `durable` with its default filled in, or undefined. */
  durable: Required<DurableOptions> | undefined;
  /** As given (checked 1–MAX_PARTITIONS); undefined = read the stored count at first use. */
  partitions: number | undefined;
}

/** Most partitions one queue may have. */
export const MAX_PARTITIONS = 256;

const QUEUE_KEYS = knownKeys(
  ['connection', 'prefix', 'maxPayloadBytes', 'connectionRetry', 'durable', 'partitions'],
  {
    defaultJobOptions:
      'options of each add(); retry and retention are Worker options (retry, keepCompleted, keepFailed)',
    streams: '',
    skipVersionCheck: '',
    telemetry: '',
  },
);

const DURABLE_KEYS = knownKeys(['replicas', 'timeoutMs'], {
  numReplicas: 'replicas',
  timeout: 'timeoutMs',
});

/** Checks `durable` of the Queue options; pushes its problems. */
function durableOption(v: unknown, problems: string[]): Required<DurableOptions> | undefined {
  if (v === undefined) return undefined;
  if (!isOptionsObject(v)) {
    problems.push(`durable must be an object { replicas, timeoutMs? }, got ${shown(v)}`);
    return undefined;
  }
  pushUnknownKeys(v, DURABLE_KEYS, 'durable.', problems);
  const o = v as unknown as DurableOptions;
  const before = problems.length;
  for (const p of [
    o.replicas === undefined
      ? 'durable.replicas is required'
      : intProblem('durable.replicas', o.replicas, 1, 100),
    intProblem('durable.timeoutMs', o.timeoutMs, 1, MAX_INTERVAL_MS),
  ])
    if (p) problems.push(p);
  return problems.length > before
    ? undefined
    : { replicas: o.replicas, timeoutMs: o.timeoutMs ?? 1000 };
}

const DEFAULT_MAX_PAYLOAD = 512 * 1024;

/**
 * Checks the options of `new Queue` (throwing one `SLC_ERR_INVALID_OPTIONS` that lists every
 * problem) and applies defaults. A string is taken as the connection URL.
 */
export function resolveQueueOptions(options: QueueOptions | string | undefined): QueueSettings {
  if (typeof options === 'string')
    return {
      connection: options,
      prefix: undefined,
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
      durable: undefined,
      partitions: undefined,
    };
  const o = optionsArg(options, 'Queue options');
  const problems: string[] = [];
  pushUnknownKeys(o, QUEUE_KEYS, '', problems);
  for (const p of [
    connectionProblem(o.connection),
    prefixProblem(o.prefix),
    intProblem('maxPayloadBytes', o.maxPayloadBytes, 1, MAX_BYTES),
    intProblem('partitions', o.partitions, 1, MAX_PARTITIONS),
  ])
    if (p) problems.push(p);
  const durable = durableOption(o.durable, problems);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return {
    connection: o.connection,
    prefix: o.prefix,
    maxPayloadBytes: o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
    durable,
    partitions: o.partitions,
  };
}

const JOB_STATES: ReadonlySet<string> = new Set<JobState>([
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
]);

/** Throws `SLC_ERR_INVALID_OPTIONS` unless `state` is a job state. */
export function checkJobState(state: unknown): JobState {
  if (typeof state !== 'string' || !JOB_STATES.has(state))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `state must be one of ${[...JOB_STATES].join(' | ')}, got ${shown(state)}`,
    ]);
  return state as JobState;
}

const PAGE_KEYS = knownKeys(['offset', 'limit'], { start: 'offset', end: 'limit', asc: '' });

/** Checks a `{ offset?, limit? }` page of `getJobs` and applies defaults (0, 50). */
export function checkPage(page: unknown): { offset: number; limit: number } {
  const o = optionsArg(page as { offset?: number; limit?: number } | undefined, 'page');
  const problems: string[] = [];
  pushUnknownKeys(o, PAGE_KEYS, '', problems);
  for (const p of [intProblem('offset', o.offset, 0), intProblem('limit', o.limit, 1, 1000)])
    if (p) problems.push(p);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return { offset: o.offset ?? 0, limit: o.limit ?? 50 };
}

/** An id given to look a job up (automatic ids are all digits, so those are fine here). */
export function checkJobId(id: unknown, what = 'job id'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${what} must be a string of 1–256 characters, got ${shown(id)}`,
    ]);
  return id;
}

/** Checks the ids given to `retryFailed`: undefined (every failed job) or an array of ids. */
export function checkJobIds(ids: unknown): readonly string[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `ids must be an array of job ids, got ${shown(ids)}`,
    ]);
  const problems: string[] = [];
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256)
      problems.push(`ids[${i}] must be a job id (a string of 1–256 characters), got ${shown(id)}`);
  });
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return ids as string[];
}

const CLEAR_KEYS = knownKeys(['includeFailed', 'keepDelayed']);

/** Options of `Queue.clear`. */
export interface ClearOptions {
  /** Remove failed (dead-lettered) jobs too (default false). */
  includeFailed?: boolean;
  /** Leave delayed jobs, a schedule's pending tick among them (default true, as BullMQ's drain). */
  keepDelayed?: boolean;
}

/** Checks the options of `clear` and applies defaults. */
export function checkClearOptions(opts: unknown): Required<ClearOptions> {
  const o = optionsArg(opts as Record<string, unknown> | undefined, 'clear options');
  const problems: string[] = [];
  pushUnknownKeys(o, CLEAR_KEYS, '', problems);
  for (const key of ['includeFailed', 'keepDelayed'])
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      problems.push(`${key} must be a boolean`);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return { includeFailed: o.includeFailed === true, keepDelayed: o.keepDelayed !== false };
}
