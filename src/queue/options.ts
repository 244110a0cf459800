/** Options of `add`, their validation, and their translation into what the `add` script takes. */
import { activeTraceparent } from '../telemetry.js';
import { ValidationError } from '../errors.js';
import type { AddSpec } from './commands/commands.js';
import { encodeBody, type JobMeta, type StoredJobOptions } from './job.js';
import type { BackoffOptions } from './retry.js';
import { backoffProblems } from './worker-options.js';
import {
  MAX_AGE_MS,
  MAX_INTERVAL_MS,
  intProblem,
  isOptionsObject,
  jobIdProblem,
  knownKeys,
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
    repeat: 'queue.schedule(key, spec)',
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
