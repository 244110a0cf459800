/** Schemas of the queue routes; handler types come from these. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { JobId, Limit, Name, Offset, errorResponses, ref } from './common.js';

/** Counts and rates of one queue (`Queue.stats()`). */
export const QueueStatsBody = Type.Object(
  {
    name: Type.String(),
    waiting: Type.Integer(),
    active: Type.Integer(),
    delayed: Type.Integer(),
    completed: Type.Integer(),
    failed: Type.Integer(),
    paused: Type.Boolean(),
    oldestWaitingAgeMs: Type.Union([Type.Number(), Type.Null()]),
    totals: Type.Object({ completed: Type.Integer(), failed: Type.Integer() }),
    perMinute: Type.Object({ completed: Type.Integer(), failed: Type.Integer() }),
    history: Type.Object({
      completed: Type.Array(Type.Integer()),
      failed: Type.Array(Type.Integer()),
    }),
  },
  { $id: 'QueueStats' },
);

const Attempt = Type.Object({
  at: Type.Number(),
  error: Type.String(),
  stack: Type.Optional(Type.String()),
  stalled: Type.Optional(Type.Boolean()),
  startedAt: Type.Optional(Type.Number({ description: 'when the attempt started (ms)' })),
});

/** One job with its payload, meta, attempts (errors and stacks) and result. */
export const JobBody = Type.Object(
  {
    id: Type.String(),
    queue: Type.String(),
    name: Type.String(),
    data: Type.Unknown(),
    priority: Type.Integer(),
    state: Type.Optional(Type.String()),
    meta: Type.Record(Type.String(), Type.Unknown()),
    options: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Type.Number(),
    attemptsMade: Type.Integer({
      description: 'attempts that ended, failed or completed (BullMQ meaning)',
    }),
    attemptsStarted: Type.Integer({
      description: 'attempts that started: ended ones, the running one, and stalled ones',
    }),
    processedOn: Type.Optional(
      Type.Number({ description: 'start of the current or last attempt (ms)' }),
    ),
    finishedOn: Type.Optional(
      Type.Number({ description: 'when the job completed or failed for good (ms)' }),
    ),
    stalls: Type.Integer(),
    totalStalls: Type.Integer(),
    history: Type.Array(Attempt),
    failedReason: Type.Optional(Type.String()),
    returnValue: Type.Optional(Type.Unknown()),
    timestamp: Type.Optional(Type.Number()),
    progress: Type.Optional(
      Type.Unknown({ description: 'the last progress its handler reported' }),
    ),
    logs: Type.Array(Type.String(), { description: 'log lines its handler wrote, oldest first' }),
  },
  { $id: 'Job' },
);

export const JobState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('delayed'),
  Type.Literal('active'),
  Type.Literal('completed'),
  Type.Literal('failed'),
]);

/** One job to add: the library's `add(name, data, opts)` flattened. */
export const NewJob = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 256 })),
    data: Type.Unknown(),
    id: Type.Optional(JobId),
    delay: Type.Optional(Type.Number({ minimum: 0 })),
    runAt: Type.Optional(Type.Number({ description: 'ms since the epoch' })),
    priority: Type.Optional(
      Type.Union([
        Type.Literal('high'),
        Type.Literal('normal'),
        Type.Literal('low'),
        Type.Integer({ minimum: -1000, maximum: 1000 }),
      ]),
    ),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    dedupKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    dedupTtlMs: Type.Optional(Type.Integer({ minimum: 0 })),
    dedupWindowMs: Type.Optional(Type.Integer({ minimum: 1 })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
    backoff: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    entity: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000 })),
  },
  { additionalProperties: false },
);
export type NewJob = Static<typeof NewJob>;

const AddedJob = Type.Object({ id: Type.String(), created: Type.Boolean() });

export const QueueParams = Type.Object({ queue: Name });
export const JobParams = Type.Object({ queue: Name, id: JobId });

export const listQueues = {
  summary: 'Every known queue with its counts',
  tags: ['queues'],
  response: { 200: Type.Object({ queues: Type.Array(ref(QueueStatsBody)) }), ...errorResponses },
};

export const getQueue = {
  summary: 'Stats of one queue',
  tags: ['queues'],
  params: QueueParams,
  response: { 200: ref(QueueStatsBody), ...errorResponses },
};

export const listJobs = {
  summary: "A page of jobs in one state (in that state's order), or of one entity (newest first)",
  tags: ['queues'],
  params: QueueParams,
  querystring: Type.Object({
    state: Type.Optional(JobState),
    entity: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        pattern: '^[^|]*$',
        description: 'the per-entity index: jobs added with this entity, in every state',
      }),
    ),
    offset: Type.Optional(Offset),
    limit: Type.Optional(Limit),
  }),
  response: {
    200: Type.Object({ total: Type.Integer(), jobs: Type.Array(ref(JobBody)) }),
    ...errorResponses,
  },
};

export const getJob = {
  summary: 'One job',
  tags: ['queues'],
  params: JobParams,
  response: { 200: ref(JobBody), ...errorResponses },
};

export const addJobs = {
  summary: 'Add one job, or many with {jobs: [...]}',
  tags: ['queues'],
  params: QueueParams,
  body: Type.Union([
    NewJob,
    Type.Object(
      { jobs: Type.Array(NewJob, { minItems: 1, maxItems: 10_000 }) },
      { additionalProperties: false },
    ),
  ]),
  response: {
    200: Type.Union([AddedJob, Type.Object({ jobs: Type.Array(AddedJob) })]),
    201: Type.Union([AddedJob, Type.Object({ jobs: Type.Array(AddedJob) })]),
    ...errorResponses,
  },
};

/** The body of an action that takes no input: absent, or `{}`. */
const NoInput = Type.Object({}, { additionalProperties: false });

const action = (summary: string, result: ReturnType<typeof Type.Object>) => ({
  summary,
  tags: ['queues'],
  params: QueueParams,
  body: NoInput,
  response: { 200: result, ...errorResponses },
});

export const pauseQueue = action('Pause every worker', Type.Object({ paused: Type.Boolean() }));
export const resumeQueue = action('Resume every worker', Type.Object({ paused: Type.Boolean() }));

export const retryFailed = {
  ...action('Move failed jobs back to waiting', Type.Object({ retried: Type.Integer() })),
  body: Type.Object(
    { ids: Type.Optional(Type.Array(JobId, { maxItems: 100_000 })) },
    { additionalProperties: false },
  ),
};

export const clearQueue = {
  ...action(
    'Remove waiting jobs (delayed ones too with keepDelayed false, failed with includeFailed)',
    Type.Object({ removed: Type.Integer() }),
  ),
  body: Type.Object(
    {
      includeFailed: Type.Optional(Type.Boolean()),
      keepDelayed: Type.Optional(Type.Boolean({ description: 'default true: delayed jobs stay' })),
    },
    { additionalProperties: false },
  ),
};

export const promoteAll = {
  ...action('Move delayed jobs to waiting now', Type.Object({ promoted: Type.Integer() })),
  body: Type.Object(
    { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) },
    { additionalProperties: false },
  ),
};

export const priorityCounts = {
  summary: 'Waiting jobs per priority, and how many wait in groups',
  tags: ['queues'],
  params: QueueParams,
  response: {
    200: Type.Object({
      byPriority: Type.Record(Type.String(), Type.Integer()),
      grouped: Type.Integer(),
    }),
    ...errorResponses,
  },
};

export const removeDedupKey = {
  summary: 'Release a de-dup key: the next add with it creates a job',
  tags: ['queues'],
  params: QueueParams,
  // in the body: a de-dup key is any string of 1–256 characters, not a path segment
  body: Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 256 }) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ key: Type.String(), removed: Type.Boolean() }),
    ...errorResponses,
  },
};

const jobAction = <T extends TSchema>(summary: string, body: T) => ({
  summary,
  tags: ['queues'],
  params: JobParams,
  body,
  response: { 200: Type.Object({ id: Type.String(), changed: Type.Boolean() }), ...errorResponses },
});

export const updateJobData = jobAction(
  'Replace the data of a job that is not running',
  Type.Object({ data: Type.Unknown() }, { additionalProperties: false }),
);

export const changeJobDelay = jobAction(
  'Move the due time of a delayed job to delayMs from now',
  Type.Object(
    { delayMs: Type.Integer({ minimum: 0, maximum: 315_360_000_000 }) },
    { additionalProperties: false },
  ),
);

export const changeJobPriority = jobAction(
  'Set the priority of a job that is not running',
  Type.Object(
    {
      priority: Type.Union([
        Type.Literal('high'),
        Type.Literal('normal'),
        Type.Literal('low'),
        Type.Integer({ minimum: -1000, maximum: 1000 }),
      ]),
    },
    { additionalProperties: false },
  ),
);

export const rerunJob = {
  summary: 'Run a completed job again (fresh attempt count)',
  tags: ['queues'],
  params: JobParams,
  body: NoInput,
  response: {
    200: Type.Object({ id: Type.String(), rerun: Type.Boolean() }),
    ...errorResponses,
  },
};

export const promoteJob = {
  summary: 'Run a delayed job now',
  tags: ['queues'],
  params: JobParams,
  body: NoInput,
  response: {
    200: Type.Object({ id: Type.String(), promoted: Type.Boolean() }),
    ...errorResponses,
  },
};

export const cancelJob = {
  summary: 'Cancel a job: remove it if waiting or delayed, abort it on its worker if active',
  tags: ['queues'],
  params: JobParams,
  body: NoInput,
  response: {
    200: Type.Object({
      id: Type.String(),
      outcome: Type.Union([Type.Literal('removed'), Type.Literal('cancelling')], {
        description:
          "'cancelling': the active job's worker aborts it; it ends as failed (cancelled)",
      }),
    }),
    ...errorResponses,
  },
};

export const removeJob = {
  summary: 'Remove a job that is not active',
  tags: ['queues'],
  params: JobParams,
  body: NoInput,
  response: { 200: Type.Object({ id: Type.String(), removed: Type.Boolean() }), ...errorResponses },
};

/** Shared schemas of this resource. */
export const queueSchemas = [QueueStatsBody, JobBody];
