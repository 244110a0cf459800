/**
 * The gateway's two endpoints in `/openapi.json`. The SSE route's schema documents it (its 200
 * is a stream written by hand, so no serializer uses it); the WebSocket route is hidden by
 * `@fastify/websocket`, so its entry is added to the document as written here.
 */
import { Type } from '@sinclair/typebox';
import { errorResponses } from './common.js';

/** `GET /v1/topics/{topic}/events`: one topic over Server-Sent Events. */
export const topicEvents = {
  summary: 'Follow one topic over Server-Sent Events (resume with Last-Event-ID or ?after=)',
  tags: ['gateway'],
  params: Type.Object({ topic: Type.String() }),
  querystring: Type.Object({
    after: Type.Optional(Type.String({ description: "resume after this position ('0': all)" })),
    token: Type.Optional(Type.String({ description: 'the JWT, for EventSource (no headers)' })),
  }),
  headers: Type.Object({
    'last-event-id': Type.Optional(
      Type.String({ description: 'the last position seen; wins over ?after=' }),
    ),
  }),
  response: {
    200: {
      description:
        'the stream: `event: subscribed`, then `event: entry` (id: position), `truncated`, ' +
        '`disconnect`; `: hb` heartbeats (see docs/gateway.md)',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
    204: { description: 'the topic was deleted: do not reconnect', type: 'null' },
    ...errorResponses,
  },
};

/** The `/v1/ws` entry of the OpenAPI document (an upgrade: messages in docs/gateway.md). */
export const wsPath = {
  get: {
    summary: 'WebSocket gateway: many topics per socket, publish, resume (upgrade)',
    tags: ['gateway'],
    parameters: [
      {
        name: 'token',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description: 'the JWT (or an Authorization header, or an auth message once open)',
      },
    ],
    responses: {
      101: { description: 'switching to the WebSocket protocol (messages: docs/gateway.md)' },
      401: {
        description: 'a bad token given with the upgrade',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  },
};
