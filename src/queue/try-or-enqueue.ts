/**
 * "Try directly, enqueue on failure": call an outside service now, and only when that fails (or
 * takes longer than a deadline) hand the same work to a queue, whose worker retries it with the
 * queue's back-off. The job's id makes the fallback idempotent: a caller that retries the whole
 * operation, or two instances that fall back for the same change, add one job.
 */
import { TimeoutError, ValidationError } from '../errors.js';
import { MAX_TIMER_MS } from '../timeout.js';
import { isOptionsObject } from '../validate.js';
import type { AddOptions } from './options.js';
import type { Queue } from './queue.js';

/** Options of {@link tryOrEnqueue}: the job to add on failure, and the direct call's deadline. */
export interface TryOrEnqueueOptions<Data> extends Omit<AddOptions, 'id'> {
  /** Job name (as in `add`). */
  name: string;
  /** The job's payload: what the worker needs to redo the call. */
  data: Data;
  /** The job id: required, so that falling back twice for the same work adds one job. */
  id: string;
  /** How long the direct call may take, in ms; after it the call is aborted and the job added. */
  deadlineMs: number;
}

/** What happened: done directly (with the call's value), or handed to the queue. */
export type TryOrEnqueueResult<T> =
  | { outcome: 'direct'; value: T }
  | {
      outcome: 'enqueued';
      /** The job's id (the one given). */
      id: string;
      /** False when a job with this id already existed (nothing was added). */
      created: boolean;
      /** Why the direct call did not succeed (its error, or a `SLC_ERR_TIMEOUT`). */
      reason: unknown;
    };

/**
 * Calls `fn` with an `AbortSignal` that fires after `deadlineMs`. If `fn` resolves in time, its
 * value is returned; if it throws, or the deadline passes first, `queue.add(name, data, { id,
 * ...rest })` is called and the job's id returned. If that `add` fails too, its error is thrown
 * (with the direct call's failure as `cause`): the work was neither done nor queued.
 *
 * A call that ignores the signal and finishes after the deadline may still take effect while the
 * job also runs: the handler must be idempotent (as every at-least-once handler must be).
 *
 * @example
 * ```ts
 * const r = await tryOrEnqueue(chatQueue, (signal) => chatApi.post(note, { signal }), {
 *   name: 'note-changed', data: { noteId: note.id, rev: note.rev },
 *   id: `note-${note.id}-r${note.rev}`, deadlineMs: 2000,
 * });
 * if (r.outcome === 'enqueued') log.info({ id: r.id }, 'chat sync queued');
 * ```
 */
export async function tryOrEnqueue<Data, T>(
  queue: Queue<Data>,
  fn: (signal: AbortSignal) => Promise<T> | T,
  options: TryOrEnqueueOptions<Data>,
): Promise<TryOrEnqueueResult<T>> {
  if (!isOptionsObject(options))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      'tryOrEnqueue takes { name, data, id, deadlineMs, ...add options }',
    ]);
  const { name, data, id, deadlineMs, ...addOptions } = options;
  if (!(Number.isFinite(deadlineMs) && deadlineMs > 0 && deadlineMs <= MAX_TIMER_MS))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `deadlineMs must be a number > 0, at most ${MAX_TIMER_MS}`,
    ]);
  if (typeof id !== 'string' || id === '')
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      'id is required (it makes the fallback idempotent)',
    ]);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(`the direct call took longer than ${deadlineMs} ms`);
      controller.abort(err);
      reject(err);
    }, deadlineMs);
  });
  let reason: unknown;
  try {
    const value = await Promise.race([
      Promise.resolve().then(() => fn(controller.signal)),
      deadline,
    ]);
    return { outcome: 'direct', value };
  } catch (err) {
    reason = err;
  } finally {
    clearTimeout(timer);
  }
  try {
    const added = await queue.add(name, data, { ...addOptions, id });
    return { outcome: 'enqueued', id: added.id, created: added.created, reason };
  } catch (err) {
    // Neither done nor queued: the caller must know both failures.
    if (err instanceof Error && err.cause === undefined)
      Object.defineProperty(err, 'cause', { value: reason, configurable: true, writable: true });
    throw err;
  }
}
