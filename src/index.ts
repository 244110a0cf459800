/**
 * Sluice: reliable background jobs and durable event streams on Redis.
 * The public surface is exactly what this file names (a test snapshots it).
 */
export { Queue } from './queue/queue.js';
export type {
  QueueOptions,
  QueueBaseOptions,
  QueueStats,
  AddedJob,
  JobPage,
} from './queue/queue.js';
export { Worker } from './queue/worker.js';
export type { WorkerOptions, WorkerEvents, Processor, JobContext } from './queue/worker.js';
export { Job } from './queue/job.js';
export type { JobState, JobMeta, AttemptRecord, StoredJobOptions } from './queue/job.js';
export { PRIORITY } from './queue/options.js';
export type { AddOptions, BulkJob } from './queue/options.js';
export { DEFAULT_RETRY, RetryAfterError, UnrecoverableError, backoffDelay } from './queue/retry.js';
export type {
  RetryPolicy,
  BackoffOptions,
  BackoffFunction,
  FixedBackoff,
  ExponentialBackoff,
} from './queue/retry.js';
export {
  SluiceError,
  ValidationError,
  PayloadError,
  JobError,
  LeaseLostError,
  ClosedError,
  ConnectionError,
  TimeoutError,
  ERROR_CODES,
} from './errors.js';
export type { SluiceErrorCode } from './errors.js';
export type { ConnectionOptions } from './redis/connection.js';
