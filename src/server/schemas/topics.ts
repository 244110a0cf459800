/** Schemas of the topic routes; handler types come from these. */
import { Type } from '@sinclair/typebox';
import { Limit, Name, Offset, errorResponses, ref } from './common.js';

const Position = Type.String({ description: '<epoch>:<ms>-<seq>, or 0 for the oldest kept' });

const GroupInfo = Type.Object({
  name: Type.String(),
  lastSeenMs: Type.Number(),
  lag: Type.Integer(),
  pending: Type.Integer(),
  oldestPendingAgeMs: Type.Union([Type.Number(), Type.Null()]),
  deadLetters: Type.Integer(),
  consumers: Type.Array(
    Type.Object({ name: Type.String(), pending: Type.Integer(), idleMs: Type.Number() }),
  ),
});

/** The state of one topic (`Topic.info()`), with each group's lag and pending. */
export const TopicInfoBody = Type.Object(
  {
    name: Type.String(),
    exists: Type.Boolean(),
    epoch: Type.Union([Type.String(), Type.Null()]),
    length: Type.Integer(),
    first: Type.Union([Position, Type.Null()]),
    last: Type.Union([Position, Type.Null()]),
    entriesAdded: Type.Integer(),
    ttlMs: Type.Union([Type.Number(), Type.Null()]),
    groups: Type.Array(GroupInfo),
  },
  { $id: 'TopicInfo' },
);

/** One entry of a topic. */
export const EntryBody = Type.Object(
  { position: Position, id: Type.String(), time: Type.Number(), data: Type.Unknown() },
  { $id: 'Entry' },
);

export const TopicParams = Type.Object({ topic: Name });

export const listTopics = {
  summary: 'Known topics, a page at a time, with their state',
  tags: ['topics'],
  querystring: Type.Object({ offset: Type.Optional(Offset), limit: Type.Optional(Limit) }),
  response: {
    200: Type.Object({ total: Type.Integer(), topics: Type.Array(ref(TopicInfoBody)) }),
    ...errorResponses,
  },
};

export const getTopic = {
  summary: 'State of one topic',
  tags: ['topics'],
  params: TopicParams,
  response: { 200: ref(TopicInfoBody), ...errorResponses },
};

export const publish = {
  summary: 'Publish one entry',
  tags: ['topics'],
  params: TopicParams,
  body: Type.Object(
    {
      data: Type.Unknown(),
      idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ position: Position, duplicate: Type.Boolean() }),
    // an ephemeral topic: no position, and how many live subscribers got it
    201: Type.Object({
      position: Type.Union([Position, Type.Null()]),
      duplicate: Type.Boolean(),
      receivers: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    ...errorResponses,
  },
};

export const listEntries = {
  summary: 'A page of history after a position',
  tags: ['topics'],
  params: TopicParams,
  querystring: Type.Object({
    after: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Limit),
  }),
  response: {
    200: Type.Object({
      entries: Type.Array(ref(EntryBody)),
      epoch: Type.Union([Type.String(), Type.Null()]),
      truncated: Type.Union([
        Type.Object({
          reason: Type.String(),
          firstAvailable: Type.Union([Position, Type.Null()]),
        }),
        Type.Null(),
      ]),
      next: Position,
      hasMore: Type.Boolean(),
    }),
    ...errorResponses,
  },
};

/** Shared schemas of this resource. */
export const topicSchemas = [TopicInfoBody, EntryBody];
