/**
 * Waiting for a job's outcome, for a producer that needs the result: event-driven through the
 * queue's events stream (the Queue's `completed` / `failed` events), never by polling. The job is
 * read once after the events reader listens (so an outcome before that is seen), and once per
 * outcome event of that id.
 */
import type { EventEmitter } from 'node:events';
import { JobError, JobFailedError, TimeoutError, ValidationError } from '../../errors.js';
import { MAX_INTERVAL_MS, intProblem } from '../../validate.js';
import type { Job } from '../job.js';

/** What the waiter needs of a Queue. */
export interface WaitSource<Result> extends EventEmitter {
  getJob(id: string): Promise<Job<unknown, Result> | undefined>;
}

type Outcome = 'completed' | 'failed';

// One pair of listeners per queue, routing by job id: many waits add no listeners of their own.
const routes = new WeakMap<EventEmitter, Map<string, Set<(e: Outcome) => void>>>();

function subscribe(queue: EventEmitter, id: string, fn: (e: Outcome) => void): () => void {
  let byId = routes.get(queue);
  if (!byId) {
    const table = new Map<string, Set<(e: Outcome) => void>>();
    const route = (e: Outcome) => (jobId: string) => {
      for (const f of table.get(jobId) ?? []) f(e);
    };
    queue.on('completed', route('completed'));
    queue.on('failed', route('failed'));
    routes.set(queue, (byId = table));
  }
  const table = byId;
  const set = table.get(id) ?? new Set();
  table.set(id, set.add(fn));
  return () => {
    set.delete(fn);
    if (set.size === 0) table.delete(id);
  };
}

/**
 * Resolves with the return value of job `id` once it completed; rejects with `JobFailedError`
 * once it failed for good, `JobError` `SLC_ERR_JOB_NOT_FOUND` if there is no such job, and
 * `TimeoutError` (`SLC_ERR_TIMEOUT`) after `timeoutMs`. `listening` resolves once the queue's
 * events reader is reading (its scripts write events from then on).
 */
export async function waitForJob<Result>(
  queue: WaitSource<Result>,
  id: string,
  timeoutMs: number,
  listening: () => Promise<void>,
): Promise<Result | undefined> {
  const p = intProblem('timeoutMs', timeoutMs, 1, MAX_INTERVAL_MS);
  if (p) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [p]);
  let settle!: { resolve: (v: Result | undefined) => void; reject: (e: unknown) => void };
  const done = new Promise<Result | undefined>((resolve, reject) => (settle = { resolve, reject }));
  let reading = Promise.resolve();
  // Reads the job and settles on a final state; `gone` says what a missing job means.
  const check = (gone: 'not-found' | 'completed'): void => {
    reading = reading
      .then(async () => {
        const job = await queue.getJob(id);
        if (!job) {
          if (gone === 'completed')
            settle.resolve(undefined); // deleted at once (keepCompleted 0)
          else settle.reject(new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found`));
        } else if (job.state === 'completed') settle.resolve(job.returnValue);
        else if (job.state === 'failed')
          settle.reject(new JobFailedError(id, job.failedReason ?? ''));
      })
      .catch((err: unknown) => settle.reject(err));
  };
  // `failed` may be said of an attempt that will run again: the job's state decides
  const unsubscribe = subscribe(queue, id, (e) =>
    check(e === 'completed' ? 'completed' : 'not-found'),
  );
  const timer = setTimeout(
    () => settle.reject(new TimeoutError(`job ${id} did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    await Promise.race([listening(), done]);
    check('not-found');
    return await done;
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}
