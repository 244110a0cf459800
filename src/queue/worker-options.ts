/** Worker options: their documentation, validation (one error listing every problem) and defaults. */
import { ValidationError } from '../errors.js';
import type { Retention } from './commands/commands.js';
import type { QueueBaseOptions } from './queue.js';
import { DEFAULT_RETRY, retryProblems, type RetryPolicy } from './retry.js';
import {
  MAX_AGE_MS,
  MAX_BYTES,
  MAX_INTERVAL_MS,
  connectionProblem,
  intProblem,
  isOptionsObject,
  knownKeys,
  optionsArg,
  prefixProblem,
  pushUnknownKeys,
} from '../validate.js';
import { batchProblems, type BatchOptions } from './batch.js';

const DAY = 86_400_000;
const DEFAULT_LEASE_MS = 30_000;
/** Default most jobs held beyond concurrency (or concurrency itself, when larger). */
const DEFAULT_PREFETCH = 100;
/**
 * Default lead of delayed jobs (ms): the fetch for a due time is asked for half of it early, so
 * a timer up to a ms late still brings the job before its time (a Node timer is whole-ms).
 */
const DEFAULT_DELAYED_LEAD_MS = 2;

export interface WorkerOptions extends QueueBaseOptions {
  /** Jobs run at once; default 1. */
  concurrency?: number;
  /**
   * Partitions of the queue (as given to its `Queue`, see docs/operations.md#partitions): the
   * worker takes from every partition, `concurrency` shared by all. Not with `batch`.
   */
  partitions?: number;
  /**
   * Lease length in ms (100 ms – 24 h); a job whose worker stops renewing it is recovered after
   * this. Default 30 s.
   */
  leaseMs?: number;
  /** How often leases are renewed (10 ms – 24 h, below leaseMs); default leaseMs / 3. */
  heartbeatMs?: number;
  /** How often expired leases are looked for (10 ms – 24 h); default min(leaseMs / 2, 5 s). */
  stallCheckMs?: number;
  /** Stalls a job may have before its attempt counts as failed; default 1. */
  maxStalls?: number;
  /** The queue's retry policy (a job's own `maxAttempts`/`backoff` override it); see DEFAULT_RETRY. */
  retry?: RetryPolicy;
  /**
   * Completed jobs kept (by count and age, at most 10 years); `false` deletes them at once.
   * Default 1,000 / 1 day.
   */
  keepCompleted?: { count?: number; ageMs?: number } | false;
  /** Failed jobs kept (by count and age, at most 10 years). Default 10,000 / 7 days. */
  keepFailed?: { count?: number; ageMs?: number };
  /**
   * How often the retention janitor removes finished jobs past their age or count, so that
   * retention applies on a queue where nothing finishes; default 60 s.
   */
  retentionCheckMs?: number;
  /** Failed attempts remembered per job; default 10. */
  historyLimit?: number;
  /** Largest accepted return value, in bytes of JSON (at most 512 MiB); default 512 KiB. */
  maxResultBytes?: number;
  /**
   * Most jobs held beyond `concurrency` while handlers are short (0 – 10,000; 0 turns prefetch
   * off); default max(concurrency, 100). The worker holds only the jobs its handlers are
   * expected to start within 2 ms (from their recent durations), renews their leases, and gives
   * them all back to the head of the queue if one waits 50 ms; see docs/guarantees.md
   * (_Fetching_). Single-job handlers on an unpartitioned queue only (others never prefetch).
   */
  prefetch?: number;
  /**
   * How far ahead of its due time a delayed job may be taken into a free slot, in ms (0 – 1,000;
   * 0 turns it off); default 2. The fetch for the next due time then comes before it, and the
   * handler still starts at the due time by Redis's clock, never before: the job is `active`
   * (leased, its attempt starting at its due time) for at most this long first. Only on a queue
   * with nothing waiting, and without groups; see docs/guarantees.md (_Delayed jobs_).
   * Single-job handlers on an unpartitioned queue only.
   */
  delayedLeadMs?: number;
  /** Start at once (default) or wait for `run()`. */
  autorun?: boolean;
  /** Run a {@link Scheduler} for the queue's schedules (default true; one more connection). */
  schedules?: boolean;
  /** Upper bound of one blocking wait (10 ms – 24 h), a safety net only; default 5 s. */
  idleWakeMs?: number;
  /**
   * Longest one attempt of a job may run, in ms (1 ms – 24 h; a job's own `timeoutMs` overrides
   * it); default none. Past it the handler's `signal` fires with a `JobTimeoutError` and the
   * attempt is recorded as failed (the retry policy applies); a handler that ignores the signal
   * has lost the job (its late result is rejected). Single-job handlers only.
   */
  timeoutMs?: number;
  /**
   * How often the worker's FlowRelay moves finished flow children's outcomes from this queue's
   * outbox to their parents (10 ms – 24 h); default 200 ms. See docs/guarantees.md (Flows).
   */
  flowRelayMs?: number;
}

/** Options of a Worker whose handler takes batches (a `BatchProcessor`). */
export interface BatchWorkerOptions extends WorkerOptions {
  /**
   * Hand the handler up to `size` jobs per call, waiting at most `maxWaitMs` for a batch to fill
   * (see docs/groups.md#batches). `concurrency` counts batches running at once.
   */
  batch: BatchOptions;
}

/** Every option with its default applied. */
export interface WorkerSettings {
  concurrency: number;
  prefetch: number;
  delayedLeadMs: number;
  leaseMs: number;
  heartbeatMs: number;
  stallCheckMs: number;
  maxStalls: number;
  retry: RetryPolicy;
  keepCompleted: Retention;
  keepFailed: Retention;
  retentionCheckMs: number;
  historyLimit: number;
  maxResultBytes: number;
  idleWakeMs: number;
  timeoutMs: number | undefined;
  flowRelayMs: number;
  batch: { size: number; maxWaitMs: number } | undefined;
}

const WORKER_KEYS = knownKeys(
  [
    'connection',
    'prefix',
    'concurrency',
    'prefetch',
    'delayedLeadMs',
    'leaseMs',
    'heartbeatMs',
    'stallCheckMs',
    'maxStalls',
    'retry',
    'keepCompleted',
    'keepFailed',
    'historyLimit',
    'maxResultBytes',
    'autorun',
    'schedules',
    'idleWakeMs',
    'retentionCheckMs',
    'flowRelayMs',
    'connectionRetry',
    'batch',
    'timeoutMs',
    'partitions',
  ],
  {
    lockDuration: 'leaseMs',
    lockRenewTime: 'heartbeatMs',
    stalledInterval: 'stallCheckMs',
    maxStalledCount: 'maxStalls',
    removeOnComplete: 'keepCompleted',
    removeOnFail: 'keepFailed',
    attempts: 'retry.maxAttempts',
    maxAttempts: 'retry.maxAttempts',
    backoff: 'retry.backoff',
    settings: 'retry.backoff (a function for a custom back-off)',
    drainDelay: 'idleWakeMs',
    maxPayloadBytes: 'maxResultBytes (for return values)',
    limiter: 'queue.setLimits({ rateLimit })',
    name: '',
    runRetryDelay: 'connectionRetry',
    skipStalledCheck: '',
    useWorkerThreads: '',
  },
);
const RETRY_KEYS = knownKeys(['maxAttempts', 'backoff'], { attempts: 'maxAttempts' });
const KEEP_KEYS = knownKeys(['count', 'ageMs'], { age: 'ageMs (in ms)' });
const BACKOFF_KEYS = {
  fixed: knownKeys(['type', 'delayMs', 'jitter'], { delay: 'delayMs' }),
  exponential: knownKeys(['type', 'baseMs', 'factor', 'maxMs', 'jitter'], {
    delay: 'baseMs',
  }),
};

/**
 * Validates `options` and the processor (throwing one `SLC_ERR_INVALID_OPTIONS` with every
 * problem) and applies defaults.
 */
export function resolveWorkerOptions(
  options: (WorkerOptions & { batch?: BatchOptions }) | string | undefined,
  processor: unknown,
): WorkerSettings {
  // A string is the connection URL (the Worker takes it as such).
  const o: WorkerOptions & { batch?: BatchOptions } =
    typeof options === 'string' ? {} : optionsArg(options, 'Worker options');
  const problems: string[] = [];
  if (typeof processor !== 'function') problems.push('processor must be a function');
  problems.push(...optionProblems(o));
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  return {
    concurrency: o.concurrency ?? 1,
    // batch and partitioned workers never prefetch: the Worker builds their Prefetch with 0
    prefetch: o.prefetch ?? Math.max(o.concurrency ?? 1, DEFAULT_PREFETCH),
    delayedLeadMs: o.delayedLeadMs ?? DEFAULT_DELAYED_LEAD_MS,
    leaseMs,
    heartbeatMs: o.heartbeatMs ?? Math.floor(leaseMs / 3),
    stallCheckMs: o.stallCheckMs ?? Math.min(Math.floor(leaseMs / 2), 5000),
    maxStalls: o.maxStalls ?? 1,
    retry: o.retry ?? DEFAULT_RETRY,
    keepCompleted:
      o.keepCompleted === false
        ? { count: 0, ageMs: 0 }
        : {
            count: o.keepCompleted?.count ?? 1000,
            ageMs: o.keepCompleted?.ageMs ?? DAY,
          },
    keepFailed: {
      count: o.keepFailed?.count ?? 10_000,
      ageMs: o.keepFailed?.ageMs ?? 7 * DAY,
    },
    retentionCheckMs: o.retentionCheckMs ?? 60_000,
    historyLimit: o.historyLimit ?? 10,
    maxResultBytes: o.maxResultBytes ?? 512 * 1024,
    idleWakeMs: o.idleWakeMs ?? 5000,
    timeoutMs: o.timeoutMs,
    flowRelayMs: o.flowRelayMs ?? 200,
    batch: o.batch ? { size: o.batch.size, maxWaitMs: o.batch.maxWaitMs ?? 0 } : undefined,
  };
}

/**
 * Adds the problems of a serialisable back-off at `path`: its fields (see `retryProblems`),
 * unknown keys, and delays bounded to 10 years.
 */
export function backoffProblems(b: unknown, path: string, problems: string[]): void {
  const at = path.slice(0, path.lastIndexOf('.'));
  problems.push(...retryProblems({ maxAttempts: 1, backoff: b }, at));
  if (!isOptionsObject(b)) return;
  const keys = b.type === 'fixed' || b.type === 'exponential' ? BACKOFF_KEYS[b.type] : undefined;
  if (keys) pushUnknownKeys(b, keys, `${path}.`, problems);
  for (const field of ['delayMs', 'baseMs', 'maxMs'] as const) {
    const v = b[field];
    if (typeof v === 'number' && v > MAX_AGE_MS)
      problems.push(`${path}.${field} must be at most ${MAX_AGE_MS} ms (10 years)`);
  }
}

function optionProblems(o: WorkerOptions & { batch?: BatchOptions }): string[] {
  const problems: string[] = [];
  pushUnknownKeys(o, WORKER_KEYS, '', problems);
  const check = (p: string | undefined) => {
    if (p) problems.push(p);
  };
  check(connectionProblem(o.connection));
  check(prefixProblem(o.prefix));
  check(intProblem('concurrency', o.concurrency, 1));
  check(intProblem('prefetch', o.prefetch, 0, 10_000));
  check(intProblem('delayedLeadMs', o.delayedLeadMs, 0, 1000));
  check(intProblem('leaseMs', o.leaseMs, 100, MAX_INTERVAL_MS));
  check(intProblem('heartbeatMs', o.heartbeatMs, 10, MAX_INTERVAL_MS));
  check(intProblem('stallCheckMs', o.stallCheckMs, 10, MAX_INTERVAL_MS));
  check(intProblem('maxStalls', o.maxStalls, 0));
  check(intProblem('historyLimit', o.historyLimit, 0));
  check(intProblem('idleWakeMs', o.idleWakeMs, 10, MAX_INTERVAL_MS));
  check(intProblem('retentionCheckMs', o.retentionCheckMs, 10, MAX_INTERVAL_MS));
  check(intProblem('timeoutMs', o.timeoutMs, 1, MAX_INTERVAL_MS));
  if (o.timeoutMs !== undefined && o.batch !== undefined)
    problems.push('timeoutMs applies to single-job handlers, not to batch handlers');
  check(intProblem('flowRelayMs', o.flowRelayMs, 10, MAX_INTERVAL_MS));
  problems.push(...batchProblems(o.batch));
  check(intProblem('partitions', o.partitions, 1, 256));
  if (o.batch !== undefined && (o.partitions ?? 1) > 1)
    problems.push('batch cannot be combined with partitions');
  if (o.retry !== undefined) {
    if (!isOptionsObject(o.retry)) problems.push('retry must be an object');
    else {
      pushUnknownKeys(o.retry, RETRY_KEYS, 'retry.', problems);
      if (o.retry.maxAttempts === undefined)
        problems.push('retry.maxAttempts must be an integer >= 1');
      else check(intProblem('retry.maxAttempts', o.retry.maxAttempts, 1));
      if (o.retry.backoff !== undefined && typeof o.retry.backoff !== 'function')
        backoffProblems(o.retry.backoff, 'retry.backoff', problems);
    }
  }
  for (const [name, keep] of [
    ['keepCompleted', o.keepCompleted === false ? undefined : o.keepCompleted],
    ['keepFailed', o.keepFailed],
  ] as const) {
    if (keep === undefined) continue;
    if (!isOptionsObject(keep))
      problems.push(
        `${name} must be an object { count?, ageMs? }` +
          (name === 'keepCompleted' ? ' or false' : ''),
      );
    else {
      pushUnknownKeys(keep, KEEP_KEYS, `${name}.`, problems);
      check(intProblem(`${name}.count`, keep.count, 0));
      check(intProblem(`${name}.ageMs`, keep.ageMs, 0, MAX_AGE_MS));
    }
  }
  check(intProblem('maxResultBytes', o.maxResultBytes, 1, MAX_BYTES));
  if (o.autorun !== undefined && typeof o.autorun !== 'boolean')
    problems.push('autorun must be a boolean');
  if (o.schedules !== undefined && typeof o.schedules !== 'boolean')
    problems.push('schedules must be a boolean');
  if (
    typeof o.heartbeatMs === 'number' &&
    o.heartbeatMs >= (typeof o.leaseMs === 'number' ? o.leaseMs : DEFAULT_LEASE_MS)
  )
    problems.push('heartbeatMs must be shorter than leaseMs');
  return problems;
}
