/**
 * Schemas of the cursor and unread routes (the chat scenario): a client's cursor per topic (the
 * last position it was given, kept 30 days) and a user's unread count per topic (kept 24 hours).
 */
import { Type } from '@sinclair/typebox';
import { Name, errorResponses, ref } from './common.js';

// The library's rule for user and client names (src/stream/options.ts), checked here too.
const Member = Type.String({
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.@+=-]*$',
  minLength: 1,
  maxLength: 128,
  description: 'letters, digits and _ . @ + = -',
});

const Position = Type.String({ minLength: 1, maxLength: 64, description: '<epoch>:<ms>-<seq>' });

/** At most 100 topic names, comma-separated (a topic name holds no comma). */
const TopicList = Type.String({
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:-]*(,[A-Za-z0-9_][A-Za-z0-9_.:-]*){0,99}$',
  minLength: 1,
  maxLength: 13_000,
  description: 'topic names, comma-separated (at most 100)',
});

/** A user's cursors and unread counts, one JSON object of topic → value. */
export const CursorMap = Type.Record(Type.String(), Type.Union([Position, Type.Null()]), {
  $id: 'CursorMap',
  description: 'topic → the cursor (null: none, or expired)',
});
export const UnreadMap = Type.Record(Type.String(), Type.Integer(), {
  $id: 'UnreadMap',
  description: 'topic → unread count (0 where none)',
});

const UserClient = Type.Object({ user: Member, client: Member });

export const getCursors = {
  summary: "A client's cursors on some topics",
  tags: ['cursors'],
  params: UserClient,
  querystring: Type.Object({ topics: TopicList }),
  response: {
    200: Type.Object({ user: Type.String(), client: Type.String(), cursors: ref(CursorMap) }),
    ...errorResponses,
  },
};

export const setCursor = {
  summary: "Move a client's cursor forward on one topic (optionally clearing the unread count)",
  tags: ['cursors'],
  params: Type.Object({ user: Member, client: Member, topic: Name }),
  body: Type.Object(
    { position: Position, clearUnread: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ topic: Type.String(), position: Type.String() }),
    ...errorResponses,
  },
};

export const getUnread = {
  summary: "A user's unread counts on some topics",
  tags: ['cursors'],
  params: Type.Object({ user: Member }),
  querystring: Type.Object({ topics: TopicList }),
  response: {
    200: Type.Object({ user: Type.String(), unread: ref(UnreadMap) }),
    ...errorResponses,
  },
};

export const addUnread = {
  summary: "Add to a user's unread count on one topic (a fan-out backend's call)",
  tags: ['cursors'],
  params: Type.Object({ user: Member, topic: Name }),
  body: Type.Object(
    { by: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, default: 1 })) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({ topic: Type.String(), unread: Type.Integer() }),
    ...errorResponses,
  },
};

/** Shared schemas of this resource. */
export const cursorSchemas = [CursorMap, UnreadMap];
