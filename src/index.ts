/**
 * Sluice: reliable background jobs and durable event streams on Redis.
 * The public surface is exactly what this file names (a test snapshots it).
 */
export { Queue } from './queue/queue.js';
export { Queues } from './queue/queues.js';
export type { QueuesEvents } from './queue/queues.js';
export type {
  QueueOptions,
  QueueBaseOptions,
  QueueStats,
  QueueEvents,
  AttemptFailure,
  AddedJob,
  JobPage,
} from './queue/queue.js';
export type {
  HistoryRange,
  QueueHistory,
  SearchField,
  SearchOptions,
  SearchPage,
} from './queue/admin/inspect.js';
export { Worker } from './queue/worker.js';
export type {
  WorkerOptions,
  BatchWorkerOptions,
  WorkerEvents,
  Processor,
  JobContext,
  BatchProcessor,
  BatchContext,
  BatchOptions,
} from './queue/worker.js';
export { Job } from './queue/job.js';
export type {
  JobState,
  JobMeta,
  AttemptRecord,
  StoredJobOptions,
  ChildResult,
} from './queue/job.js';
export { FlowProducer } from './queue/flows/flow-producer.js';
export type {
  FlowJob,
  FlowJobOptions,
  FlowNode,
  FlowProducerOptions,
} from './queue/flows/flow-producer.js';
export { FlowRelay } from './queue/flows/flow-relay.js';
export type { FlowRelayOptions } from './queue/flows/flow-relay.js';
export { tryOrEnqueue } from './queue/try-or-enqueue.js';
export type { TryOrEnqueueOptions, TryOrEnqueueResult } from './queue/try-or-enqueue.js';
export { PRIORITY } from './queue/options.js';
export { fromBullMQPriority } from './compat/bullmq.js';
export type { AddOptions, BulkJob } from './queue/options.js';
export type { ClearOptions } from './queue/admin/call-options.js';
export type { PriorityCounts } from './queue/admin/admin-ops.js';
export type { EntityJobPage } from './queue/admin/entity-index.js';
export type { QueueLimits, RateLimit } from './queue/admin/limits.js';
export { Scheduler } from './queue/schedules/scheduler.js';
export type { SchedulerOptions } from './queue/schedules/scheduler.js';
export type {
  ScheduleOptions,
  ScheduleJobOptions,
  CatchUp,
} from './queue/schedules/schedule-spec.js';
export type { ScheduleInfo } from './queue/schedules/schedules.js';
export {
  DEFAULT_RETRY,
  MAX_RETRY_DELAY_MS,
  NO_RETRY,
  RetryAfterError,
  RateLimitError,
  UnrecoverableError,
  backoffDelay,
} from './queue/retry.js';
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
  ReplicationError,
  JobTimeoutError,
  JobCancelledError,
  JobFailedError,
  RedisVersionError,
  ConfigError,
  RequestError,
  AuthError,
  ERROR_CODES,
} from './errors.js';
export type { SluiceErrorCode } from './errors.js';
export type { ConnectionOptions } from './redis/connection.js';
export { Registry } from './registry.js';
export type { RegistryOptions, RegistryKind } from './registry.js';

// streams
export { Streams } from './stream/streams.js';
export type { StreamsOptions, TopicOptions, FeedOptions } from './stream/streams.js';
export { Topic } from './stream/topic.js';
export type { SubscribeOptions } from './stream/topic.js';
export { Subscription } from './stream/subscription.js';
export type { SubscriptionStats } from './stream/subscription.js';
export { EphemeralTopic, EphemeralSubscription } from './stream/ephemeral.js';
export { Feed } from './stream/feed.js';
export type { FeedPointer } from './stream/feed.js';
export { ConsumerGroup } from './stream/group.js';
export type { GroupOptions, ProcessOptions, GroupStats, DeadLetter } from './stream/group.js';
export { GroupProcessor } from './stream/group-processor.js';
export type {
  GroupHandler,
  DeliveryContext,
  GroupProcessorEvents,
} from './stream/group-processor.js';
export { Cursors } from './stream/cursors.js';
export type { CursorOptions } from './stream/cursors.js';
export { START, parsePosition, formatPosition } from './stream/position.js';
export type { Position, ParsedPosition } from './stream/position.js';
export type { RetentionOptions } from './stream/options.js';
export type { ConnectionRetry } from './redis/command-connection.js';
export type {
  StreamEntry,
  EphemeralEntry,
  SubscriptionEvent,
  Truncation,
  RangePage,
  TopicInfo,
  Published,
} from './stream/types.js';
export { PositionError, GroupNotFoundError } from './errors.js';
