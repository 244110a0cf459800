/** Schemas of the dashboard's own routes: session, queue history, job search, live stats. */
import { Type } from '@sinclair/typebox';
import { errorResponses as errors, ref } from './common.js';
import { JobBody, QueueParams } from './queues.js';

/** `GET /v1/session`: who the token says the caller is (the dashboard hides actions for viewers). */
export const getSession = {
  summary: "The caller's role, for the dashboard",
  tags: ['dashboard'],
  response: {
    200: Type.Object({
      role: Type.Union([Type.Literal('admin'), Type.Literal('viewer')]),
      subject: Type.Optional(Type.String()),
      authEnabled: Type.Boolean(),
    }),
    ...errors,
  },
};

/** `GET /v1/queues/{q}/history`: per-minute (1h) or per-hour (7d) completions and failures. */
export const getHistory = {
  summary: 'Completions and failures per minute (1h) or per hour (7d)',
  tags: ['dashboard'],
  params: QueueParams,
  querystring: Type.Object({
    range: Type.Optional(Type.Union([Type.Literal('1h'), Type.Literal('7d')], { default: '1h' })),
  }),
  response: {
    200: Type.Object({
      range: Type.String(),
      stepMs: Type.Integer(),
      startMs: Type.Number(),
      now: Type.Number(),
      completed: Type.Array(Type.Integer()),
      failed: Type.Array(Type.Integer()),
    }),
    ...errors,
  },
};

/** `GET /v1/queues/{q}/search`: one bounded slice of a search; pass `cursor` back until '0'. */
export const searchJobs = {
  summary: 'Find jobs by id, name, meta field or payload text (bounded per call)',
  tags: ['dashboard'],
  params: QueueParams,
  querystring: Type.Object({
    q: Type.String({ minLength: 1, maxLength: 256 }),
    field: Type.Optional(
      Type.String({ pattern: '^(any|id|name|data|meta\\.[A-Za-z0-9_.-]{1,64})$', default: 'any' }),
    ),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: 24 })),
  }),
  response: {
    200: Type.Object({
      jobs: Type.Array(ref(JobBody)),
      cursor: Type.String(),
      scanned: Type.Integer(),
    }),
    ...errors,
  },
};

/** `GET /v1/live/queues`: an SSE stream of every queue's counts, about once a second. */
export const liveQueues = {
  summary: 'SSE: `event: stats` with every queue’s counts, about once a second',
  tags: ['dashboard'],
  querystring: Type.Object({ token: Type.Optional(Type.String()) }),
};
