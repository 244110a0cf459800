/** Options of `add`, their validation, and their translation into what the `add` script takes. */
import { ValidationError } from '../errors.js';
import type { AddSpec } from './commands.js';
import { encodeBody, type JobMeta, type StoredJobOptions } from './job.js';
import { retryProblems, type BackoffOptions } from './retry.js';
import { jobIdProblem, serialisePayload } from '../validate.js';

/** Named priority levels; any integer in [-1000, 1000] works too (higher runs first). */
export const PRIORITY = { high: 10, normal: 0, low: -10 } as const;

/** Options of one job, given to `add`. */
export interface AddOptions {
  /**
   * Your own id. Adding an id that exists returns the existing job and adds nothing, so a
   * producer may retry an `add` safely. Not all digits (those are automatic ids).
   */
  id?: string;
  /** Run no earlier than this many ms from now. */
  delay?: number;
  /** Run no earlier than this time (Date or ms since epoch, producer's clock). */
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
  /** Keep de-duplicating for this many ms after the holder finished (default 0). */
  dedupTtlMs?: number;
  /**
   * Ordered group (e.g. an account): jobs of one group run one at a time (or up to the queue's
   * `groupConcurrency`) in enqueue order, across all workers; groups are served round-robin.
   * 1–256 characters, no NUL. See docs/groups.md.
   */
  group?: string;
}

/** A job for `addBulk`. */
export interface BulkJob<Data> {
  name?: string;
  data: Data;
  opts?: AddOptions;
}

/** Checks and serialises one job; throws a typed error listing every problem. */
export function toAddSpec(
  name: string,
  data: unknown,
  opts: AddOptions | undefined,
  maxPayloadBytes: number,
): AddSpec {
  const problems: string[] = [];
  if (opts !== undefined && (typeof opts !== 'object' || opts === null || Array.isArray(opts)))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['options must be an object']);
  const o = opts ?? {};
  if (typeof name !== 'string') problems.push('job name must be a string');
  else if (name.length > 256 || name.includes('|'))
    problems.push('job name must be at most 256 characters, without |');
  if (o.id !== undefined) {
    const p = jobIdProblem(o.id);
    if (p) problems.push(p);
  }
  let delayMs = 0;
  if (o.delay !== undefined) {
    if (typeof o.delay !== 'number' || !Number.isFinite(o.delay) || o.delay < 0)
      problems.push('delay must be a finite number of ms >= 0');
    else delayMs = Math.round(o.delay);
  }
  if (o.runAt !== undefined) {
    const at = o.runAt instanceof Date ? o.runAt.getTime() : o.runAt;
    if (typeof at !== 'number' || !Number.isFinite(at))
      problems.push('runAt must be a Date or ms since epoch');
    else if (o.delay !== undefined) problems.push('give delay or runAt, not both');
    else delayMs = Math.max(0, Math.round(at - Date.now()));
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
  problems.push(...retryProblems({ maxAttempts: o.maxAttempts, backoff: o.backoff }, 'options'));
  if (typeof o.backoff === 'function')
    problems.push('options.backoff must be fixed or exponential (a function cannot be stored)');
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
  if (o.dedupTtlMs !== undefined) {
    if (!Number.isInteger(o.dedupTtlMs) || o.dedupTtlMs < 0)
      problems.push('dedupTtlMs must be an integer >= 0');
    else if (o.dedupKey === undefined) problems.push('dedupTtlMs needs a dedupKey');
  }
  if (
    o.group !== undefined &&
    (typeof o.group !== 'string' ||
      o.group.length < 1 ||
      o.group.length > 256 ||
      o.group.includes('\0'))
  )
    problems.push('group must be a string of 1–256 characters without NUL');
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);

  const dataJson = serialisePayload(data, maxPayloadBytes);
  let stored: StoredJobOptions | undefined;
  if (
    o.maxAttempts !== undefined ||
    o.backoff !== undefined ||
    o.meta !== undefined ||
    o.dedupKey !== undefined ||
    o.group !== undefined
  ) {
    stored = {};
    // Stored so that retry-failed can put the job back in its group.
    if (o.group !== undefined) stored.group = o.group;
    // Stored so that deleting the job can release its key (see releaseDedup in lua/includes/retention.lua).
    if (o.dedupKey !== undefined) stored.dedupKey = o.dedupKey;
    if (o.maxAttempts !== undefined) stored.maxAttempts = o.maxAttempts;
    if (o.backoff !== undefined) stored.backoff = o.backoff;
    if (o.meta !== undefined) {
      serialisePayload(o.meta, maxPayloadBytes, 'meta');
      stored.meta = o.meta;
    }
  }
  return {
    id: o.id ?? '',
    priority,
    delayMs,
    dedupKey: o.dedupKey ?? '',
    dedupTtlMs: o.dedupTtlMs ?? 0,
    body: encodeBody(name, dataJson, stored),
    group: o.group ?? '',
  };
}
