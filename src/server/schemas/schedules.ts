/** Schemas of the schedule routes (`/v1/queues/{q}/schedules`); handler types come from these. */
import { Type, type Static } from '@sinclair/typebox';
import { Name, errorResponses, ref } from './common.js';

/** A schedule name (it becomes part of job ids `sched:<key>:<tick>`). */
const ScheduleKey = Type.String({ pattern: '^[A-Za-z0-9_.:@/+=-]{1,128}$' });

const Priority = Type.Union([
  Type.Literal('high'),
  Type.Literal('normal'),
  Type.Literal('low'),
  Type.Integer({ minimum: -1000, maximum: 1000 }),
]);

/** Options of the jobs a schedule adds. */
const ScheduleJobOpts = Type.Object(
  {
    priority: Type.Optional(Priority),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
    backoff: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** The body of `PUT`: the library's `queue.schedule(key, spec)` spec. */
export const NewSchedule = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    everyMs: Type.Optional(Type.Integer({ minimum: 10 })),
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    data: Type.Optional(Type.Unknown()),
    opts: Type.Optional(ScheduleJobOpts),
    catchUp: Type.Optional(Type.Union([Type.Literal('one'), Type.Literal('none')])),
  },
  { additionalProperties: false },
);
export type NewSchedule = Static<typeof NewSchedule>;

/** One schedule with its pending tick. */
export const ScheduleBody = Type.Object(
  {
    key: Type.String(),
    cron: Type.Optional(Type.String()),
    everyMs: Type.Optional(Type.Integer()),
    tz: Type.Optional(Type.String()),
    name: Type.String(),
    data: Type.Unknown(),
    opts: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    catchUp: Type.Union([Type.Literal('one'), Type.Literal('none')]),
    next: Type.Number({ description: 'pending tick, ms since the epoch (Redis clock)' }),
  },
  { $id: 'Schedule' },
);

const ScheduleParams = Type.Object({ queue: Name, key: ScheduleKey });

export const listSchedules = {
  summary: 'Every schedule of the queue, with its pending tick',
  tags: ['schedules'],
  params: Type.Object({ queue: Name }),
  response: { 200: Type.Object({ schedules: Type.Array(ref(ScheduleBody)) }), ...errorResponses },
};

export const putSchedule = {
  summary: 'Create or replace a schedule (the same spec again changes nothing)',
  tags: ['schedules'],
  params: ScheduleParams,
  body: NewSchedule,
  response: {
    200: Type.Object({ schedule: ref(ScheduleBody), changed: Type.Boolean() }),
    201: Type.Object({ schedule: ref(ScheduleBody), changed: Type.Boolean() }),
    ...errorResponses,
  },
};

export const deleteSchedule = {
  summary: 'Remove a schedule and its pending job',
  tags: ['schedules'],
  params: ScheduleParams,
  body: Type.Object({}, { additionalProperties: false }),
  response: {
    200: Type.Object({ key: Type.String(), removed: Type.Boolean() }),
    ...errorResponses,
  },
};

/** Shared schemas of this resource. */
export const scheduleSchemas = [ScheduleBody];
