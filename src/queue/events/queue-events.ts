/**
 * The events plumbing of a Queue: the typed events, and the mapping of a raw event of the
 * queue's event stream (read by `EventsReader`) to one of them.
 */
import type { EventEmitter } from 'node:events';
import { attemptFailure, type RawQueueEvent } from './events-reader.js';

/**
 * Events of a Queue, seen across all producers and workers (read from the queue's event stream,
 * which the scripts write to only while some Queue listens). Listening starts with the first
 * listener of a job event; `ready` fires once events are flowing.
 */
export interface QueueEvents {
  /** Added, or due (a delayed job moved to waiting). */
  waiting: [jobId: string];
  delayed: [jobId: string, dueAt: number];
  /** A worker took the job (an attempt starts). */
  active: [jobId: string];
  /** `returnValue` when it is at most 4 KiB of JSON (else undefined: read it with `getJob`). */
  completed: [jobId: string, returnValue: unknown];
  /** An attempt failed and the job will not run again (dead letter). */
  failed: [jobId: string, reason: string, attempt: AttemptFailure];
  /** An attempt failed; the job will run again at `attempt.retryAt`. */
  retrying: [jobId: string, reason: string, attempt: AttemptFailure];
  /** A waiting, delayed or finished job was removed (`remove`, or `cancel` before it ran). */
  removed: [jobId: string];
  /** A job's lease expired; it was returned to waiting. */
  stalled: [jobId: string];
  /** A running job's handler reported progress (`job.progress(value)`). */
  progress: [jobId: string, value: unknown];
  /** No job waits or runs any more. */
  drained: [];
  paused: [];
  resumed: [];
  /** Listening to job events has started. */
  ready: [];
  /** A connection error (ioredis reconnects; calls wait within `connectionRetry`, then fail). */
  error: [error: Error];
}

/** What the `failed` / `retrying` queue events say about the attempt that failed. */
export interface AttemptFailure {
  /** Failed attempts so far, this one included. */
  attemptsMade: number;
  /** True for `retrying`: the job runs again. */
  willRetry: boolean;
  /** When it runs again (ms since epoch, Redis clock), for `retrying`. */
  retryAt?: number;
}

/** The events that start the events reader (see `Queue`). */
export const JOB_EVENTS = new Set([
  'waiting',
  'active',
  'removed',
  'delayed',
  'completed',
  'failed',
  'retrying',
  'stalled',
  'progress',
  'drained',
  'paused',
  'resumed',
]);

/** Emits one raw event of the queue's event stream as the typed Queue event. */
export function dispatchQueueEvent(q: EventEmitter<QueueEvents>, e: RawQueueEvent): void {
  switch (e.event) {
    case 'waiting':
    case 'active':
    case 'removed':
    case 'stalled':
      q.emit(e.event, e.jobId);
      break;
    case 'completed':
      q.emit('completed', e.jobId, e.extra ? JSON.parse(e.extra) : undefined);
      break;
    case 'delayed':
      q.emit('delayed', e.jobId, Number(e.extra));
      break;
    case 'failed':
    case 'retrying':
      q.emit(e.event, e.jobId, e.extra ?? '', attemptFailure(e));
      break;
    case 'progress':
      q.emit('progress', e.jobId, e.extra === undefined ? undefined : JSON.parse(e.extra));
      break;
    case 'drained':
    case 'paused':
    case 'resumed':
      q.emit(e.event);
      break;
  }
}
