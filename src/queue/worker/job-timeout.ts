/**
 * The per-job timeout watchdog. A job runs for at most its own `timeoutMs` (an `add` option) or
 * else the worker's; past it the worker takes the job from its handler (the signal fires with a
 * `JobTimeoutError`) and records the attempt as failed, so the retry policy applies. One timer per
 * running job, and none at all when no timeout is set.
 */
import { JobTimeoutError } from '../../errors.js';
import type { Job } from '../job.js';

/** The timeout of one job's attempt in ms, or undefined for none. */
export function timeoutOf(job: Job<unknown, unknown>, workerTimeoutMs: number | undefined) {
  return job.options.timeoutMs ?? workerTimeoutMs;
}

/**
 * Calls `expire` with a {@link JobTimeoutError} after `ms` unless the returned stop function
 * is called first. The timer does not keep the process alive.
 */
export function watchTimeout(
  jobId: string,
  ms: number,
  expire: (reason: JobTimeoutError) => void,
): () => void {
  const timer = setTimeout(() => expire(new JobTimeoutError(jobId, ms)), ms);
  timer.unref();
  return () => clearTimeout(timer);
}
