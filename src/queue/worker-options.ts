/** Worker options: their documentation, validation (one error listing every problem) and defaults. */
import { ValidationError } from '../errors.js';
import type { Retention } from './commands.js';
import type { QueueBaseOptions } from './queue.js';
import { DEFAULT_RETRY, retryProblems, type RetryPolicy } from './retry.js';
import { batchProblems, type BatchOptions } from './batch.js';

const DAY = 86_400_000;
const DEFAULT_LEASE_MS = 30_000;

export interface WorkerOptions extends QueueBaseOptions {
  /** Jobs run at once; default 1. */
  concurrency?: number;
  /** Lease length in ms; a job whose worker stops renewing it is recovered after this. Default 30 s. */
  leaseMs?: number;
  /** How often leases are renewed; default leaseMs / 3. */
  heartbeatMs?: number;
  /** How often expired leases are looked for; default min(leaseMs / 2, 5 s). */
  stallCheckMs?: number;
  /** Stalls a job may have before its attempt counts as failed; default 1. */
  maxStalls?: number;
  /** The queue's retry policy (a job's own `maxAttempts`/`backoff` override it); see DEFAULT_RETRY. */
  retry?: RetryPolicy;
  /** Completed jobs kept (by count and age); `false` deletes them at once. Default 1,000 / 1 day. */
  keepCompleted?: { count?: number; ageMs?: number } | false;
  /** Failed jobs kept (by count and age). Default 10,000 / 7 days. */
  keepFailed?: { count?: number; ageMs?: number };
  /**
   * How often the retention janitor removes finished jobs past their age or count, so that
   * retention applies on a queue where nothing finishes; default 60 s.
   */
  retentionCheckMs?: number;
  /** Failed attempts remembered per job; default 10. */
  historyLimit?: number;
  /** Largest accepted return value, in bytes of JSON; default 512 KiB. */
  maxResultBytes?: number;
  /** Start at once (default) or wait for `run()`. */
  autorun?: boolean;
  /** Upper bound of one blocking wait, a safety net only; default 5 s. */
  idleWakeMs?: number;
}

/** Options of a Worker whose handler takes batches (a `BatchProcessor`). */
export interface BatchWorkerOptions extends WorkerOptions {
  /**
   * Hand the handler up to `size` jobs per call, waiting at most `maxWaitMs` for a batch to fill
   * (see docs/batches.md). `concurrency` counts batches running at once.
   */
  batch: BatchOptions;
}

/** Every option with its default applied. */
export interface WorkerSettings {
  concurrency: number;
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
  batch: { size: number; maxWaitMs: number } | undefined;
}

/** Validates `options` (throwing `SLC_ERR_INVALID_OPTIONS` with every problem) and applies defaults. */
export function resolveWorkerOptions(
  options: WorkerOptions & { batch?: BatchOptions },
): WorkerSettings {
  const problems = optionProblems(options);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  return {
    concurrency: options.concurrency ?? 1,
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.floor(leaseMs / 3),
    stallCheckMs: options.stallCheckMs ?? Math.min(Math.floor(leaseMs / 2), 5000),
    maxStalls: options.maxStalls ?? 1,
    retry: options.retry ?? DEFAULT_RETRY,
    keepCompleted:
      options.keepCompleted === false
        ? { count: 0, ageMs: 0 }
        : {
            count: options.keepCompleted?.count ?? 1000,
            ageMs: options.keepCompleted?.ageMs ?? DAY,
          },
    keepFailed: {
      count: options.keepFailed?.count ?? 10_000,
      ageMs: options.keepFailed?.ageMs ?? 7 * DAY,
    },
    retentionCheckMs: options.retentionCheckMs ?? 60_000,
    historyLimit: options.historyLimit ?? 10,
    maxResultBytes: options.maxResultBytes ?? 512 * 1024,
    idleWakeMs: options.idleWakeMs ?? 5000,
    batch: options.batch
      ? { size: options.batch.size, maxWaitMs: options.batch.maxWaitMs ?? 0 }
      : undefined,
  };
}

function optionProblems(o: WorkerOptions & { batch?: BatchOptions }): string[] {
  const problems: string[] = [];
  const posInt = (v: unknown, name: string, min = 1) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min))
      problems.push(`${name} must be an integer >= ${min}`);
  };
  posInt(o.concurrency, 'concurrency');
  posInt(o.leaseMs, 'leaseMs', 100);
  posInt(o.heartbeatMs, 'heartbeatMs', 10);
  posInt(o.stallCheckMs, 'stallCheckMs', 10);
  posInt(o.retentionCheckMs, 'retentionCheckMs', 10);
  posInt(o.maxStalls, 'maxStalls', 0);
  posInt(o.historyLimit, 'historyLimit', 0);
  posInt(o.idleWakeMs, 'idleWakeMs', 10);
  problems.push(...batchProblems(o.batch));
  if (o.retry !== undefined) {
    problems.push(...retryProblems(o.retry, 'retry'));
    if (typeof o.retry === 'object' && o.retry !== null && o.retry.maxAttempts === undefined)
      problems.push('retry.maxAttempts must be an integer >= 1');
  }
  for (const [name, keep] of [
    ['keepCompleted', o.keepCompleted === false ? undefined : o.keepCompleted],
    ['keepFailed', o.keepFailed],
  ] as const) {
    if (keep === undefined) continue;
    if (typeof keep !== 'object' || keep === null) problems.push(`${name} must be an object`);
    else {
      posInt(keep.count, `${name}.count`, 0);
      posInt(keep.ageMs, `${name}.ageMs`, 0);
    }
  }
  if (
    o.maxResultBytes !== undefined &&
    !(typeof o.maxResultBytes === 'number' && o.maxResultBytes > 0)
  )
    problems.push('maxResultBytes must be a number > 0');
  if (o.heartbeatMs !== undefined && o.heartbeatMs >= (o.leaseMs ?? DEFAULT_LEASE_MS))
    problems.push('heartbeatMs must be shorter than leaseMs');
  return problems;
}
