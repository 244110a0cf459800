/** Schemas of the archive route (the PostgreSQL job archive of `sluice/outbox`). */
import { Type } from '@sinclair/typebox';
import { Limit, errorResponses } from './common.js';
import { QueueParams } from './queues.js';

/** One archived (finished) job; times in ms since the epoch. */
const ArchivedJob = Type.Object({
  queue: Type.String(),
  id: Type.String(),
  state: Type.Union([Type.Literal('completed'), Type.Literal('failed')]),
  name: Type.String(),
  data: Type.Unknown(),
  result: Type.Unknown(),
  meta: Type.Record(Type.String(), Type.Unknown()),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Number(),
  finishedAt: Type.Number(),
});

export const listArchive = {
  summary: "A page of a queue's archived jobs, newest first (needs a database)",
  tags: ['archive'],
  params: QueueParams,
  querystring: Type.Object({
    entityId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'meta.entityId of the jobs' }),
    ),
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 8.64e15, // the latest time a Date holds
        description: 'finished at or after, ms; default 90 days ago',
      }),
    ),
    state: Type.Optional(Type.Union([Type.Literal('completed'), Type.Literal('failed')])),
    limit: Type.Optional(Limit),
    after: Type.Optional(
      Type.String({ minLength: 3, maxLength: 300, description: 'the previous page’s `next`' }),
    ),
  }),
  response: {
    200: Type.Object({
      jobs: Type.Array(ArchivedJob),
      next: Type.Optional(Type.String({ description: 'set when there may be more' })),
    }),
    ...errorResponses,
  },
};
