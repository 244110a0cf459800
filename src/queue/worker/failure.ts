/**
 * The outcome recorder of a failed attempt: decide retry or dead letter (the job's policy, else
 * the worker's), record it in one `fail` script (a few tries while Redis is away), and notify.
 */
import type { RedisClient } from '../../redis/connection.js';
import { describeThrown } from '../../thrown.js';
import type { QueueCommands, Retention } from '../commands/commands.js';
import type { Job } from '../job.js';
import { decideRetry, type RetryDecision, type RetryPolicy } from '../retry.js';
import type { WorkerEvents } from './types.js';

/** What recording an outcome needs of its worker. */
export interface OutcomeDeps<Data, Result> {
  commands: QueueCommands;
  client: RedisClient;
  retry: RetryPolicy;
  keepFailed: Retention;
  historyLimit: number;
  /** Emits a worker event (a throwing listener is reported, not thrown). */
  notify<E extends 'lease-lost' | 'retrying' | 'failed'>(
    event: E,
    ...args: WorkerEvents<Data, Result>[E]
  ): void;
  reportError(err: unknown): void;
}

/** Records a failed attempt of `job` (held with `token`); `stalled` marks a stall. */
export async function recordAttemptFailure<Data, Result>(
  o: OutcomeDeps<Data, Result>,
  job: Job<Data, Result>,
  token: string,
  err: unknown,
  stalled: boolean,
): Promise<void> {
  const policy: RetryPolicy = {
    maxAttempts: job.options.maxAttempts ?? o.retry.maxAttempts,
    backoff: job.options.backoff ?? o.retry.backoff,
  };
  const attemptsMade = job.attemptsMade + 1;
  let decision: RetryDecision;
  try {
    decision = await decideRetry(policy, attemptsMade, err, job);
  } catch (policyErr) {
    // A custom back-off that throws: dead-letter the job (visible, retryable by hand)
    // rather than retry it on a guess, and say why.
    o.reportError(
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
      const applied = await o.commands.fail(
        job.id,
        token,
        decision,
        entry,
        o.keepFailed,
        o.historyLimit,
      );
      if (!applied) {
        o.notify('lease-lost', job.id);
        return;
      }
      const retryDelayMs = decision.action === 'retry' ? decision.delayMs : undefined;
      const ended = job.attemptEnded(applied, { completed: false, entry, retryDelayMs });
      if (retryDelayMs !== undefined) o.notify('retrying', ended, err, retryDelayMs);
      else o.notify('failed', ended, err);
      return;
    } catch (redisErr) {
      o.reportError(redisErr);
      if (attempt >= 5 || o.client.status === 'end') return;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
