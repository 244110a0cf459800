/** The types a Worker and its components share: the handler, the events, a running job. */
import type { Job } from '../job.js';
import type { BatchRun } from '../batch.js';
import type { Abortable, JobContext } from './job-context.js';
import { RateLimitError } from '../retry.js';
import type { Holdable } from './fetching/prefetch.js';

/** The function that does a job's work; its return value is stored as the job's result. */
export type Processor<Data, Result> = (
  job: Job<Data, Result>,
  ctx: JobContext,
) => Promise<Result> | Result;

/** Events of a Worker. */
export interface WorkerEvents<Data, Result> {
  active: [job: Job<Data, Result>];
  completed: [job: Job<Data, Result>, result: Result];
  /** The job failed for good (dead letter). */
  failed: [job: Job<Data, Result>, error: unknown];
  /** An attempt failed; the job will run again after `delayMs`. */
  retrying: [job: Job<Data, Result>, error: unknown, delayMs: number];
  /** The handler threw a RateLimitError: the job's group (or the queue) waits `delayMs`. */
  limited: [job: Job<Data, Result>, delayMs: number];
  /** A job whose lease expired was returned to waiting by this worker. */
  stalled: [jobId: string];
  /** This worker's result for a job was rejected: it no longer held the lease (fencing). */
  'lease-lost': [jobId: string];
  /** The queue ran out of work and this worker has nothing running. */
  drained: [];
  error: [error: Error];
}

export interface Running<Data, Result> extends Abortable, Holdable {
  job: Job<Data, Result>;
  token: string;
  /**
   * Set when the job was released on shutdown or its lease was lost: its outcome is no longer
   * ours to record (the lease token is never handed out again, so an ack could only be rejected).
   */
  released: boolean;
  /** The batch it runs in (batch handlers only). */
  batch?: BatchRun<Data, Result>;
  /** Stops its timeout watchdog (jobs with a timeout only). */
  stopTimer?: () => void;
  /** Set when it was taken from its handler (timeout, cancel): the failure being recorded. */
  fenced?: Promise<void>;
  /** When its handler started (`performance.now()`); unset while held, and once its slot is free. */
  invokedAt?: number;
}

export interface PendingAck<Data, Result> {
  id: string;
  token: string;
  result: string;
  job: Job<Data, Result>;
  value: Result;
}

/** `instanceof` may itself throw for odd thrown values (a Proxy, a revoked one). */
export function isRateLimit(err: unknown): err is RateLimitError {
  try {
    return err instanceof RateLimitError;
  } catch {
    return false;
  }
}
