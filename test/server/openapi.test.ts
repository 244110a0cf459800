/** `/openapi.json` is generated from the route schemas: every route is in it, refs resolve. */
import { describe, expect, it } from 'vitest';
import { call, useServer } from './helpers.js';

const server = useServer();

describe('openapi', () => {
  it('describes every queue, topic and cursor route with its shared schemas', async () => {
    const s = server();
    const r = await call(s, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /v1/queues',
        'GET /v1/queues/{queue}',
        'GET /v1/queues/{queue}/jobs',
        'POST /v1/queues/{queue}/jobs',
        'GET /v1/queues/{queue}/jobs/{id}',
        'DELETE /v1/queues/{queue}/jobs/{id}',
        'POST /v1/queues/{queue}/jobs/{id}/promote',
        'POST /v1/queues/{queue}/jobs/{id}/cancel',
        'POST /v1/queues/{queue}/pause',
        'POST /v1/queues/{queue}/resume',
        'POST /v1/queues/{queue}/retry-failed',
        'POST /v1/queues/{queue}/clear',
        'POST /v1/queues/{queue}/promote-all',
        'GET /v1/queues/{queue}/priorities',
        'POST /v1/queues/{queue}/release-dedup-key',
        'PUT /v1/queues/{queue}/jobs/{id}/data',
        'PUT /v1/queues/{queue}/jobs/{id}/delay',
        'PUT /v1/queues/{queue}/jobs/{id}/priority',
        'POST /v1/queues/{queue}/jobs/{id}/rerun',
        'GET /v1/topics',
        'GET /v1/topics/{topic}',
        'POST /v1/topics/{topic}',
        'GET /v1/topics/{topic}/entries',
        'GET /v1/topics/{topic}/events',
        'GET /v1/ws',
        'GET /v1/users/{user}/cursors/{client}',
        'PUT /v1/users/{user}/cursors/{client}/{topic}',
        'GET /v1/users/{user}/unread',
        'POST /v1/users/{user}/unread/{topic}',
      ]),
    );
    expect(routes).not.toContain('GET /openapi.json');
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Error',
        'Job',
        'QueueStats',
        'TopicInfo',
        'Entry',
        'CursorMap',
        'UnreadMap',
      ]),
    );
    // Every $ref points at a schema the document has.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const m of refs) expect(doc.components.schemas, m[1]).toHaveProperty(m[1]!);
  });
});
