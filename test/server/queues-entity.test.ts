/** The per-entity route: `GET /v1/queues/{q}/jobs?entity=` over real HTTP, against the library. */
import { describe, expect, it } from 'vitest';
import { call, useServer } from './helpers.js';

const server = useServer();

describe('per-entity listing', () => {
  it("lists one entity's jobs in every state, newest first, and pages them", async () => {
    const s = server();
    const add = (body: Record<string, unknown>) =>
      call(s, 'POST', '/v1/queues/outbound/jobs', { body });
    expect((await add({ data: 1, id: 'm1', entity: 'acct-1', group: 'acct-1' })).status).toBe(201);
    expect((await add({ data: 2, id: 'm2', entity: 'acct-1', delay: 60_000 })).status).toBe(201);
    expect((await add({ data: 3, id: 'other', entity: 'acct-2' })).status).toBe(201);
    await add({ data: 4, id: 'm3', entity: 'acct-1' });

    const r = await call(s, 'GET', '/v1/queues/outbound/jobs?entity=acct-1');
    expect(r.status).toBe(200);
    const body = r.body as { total: number; jobs: { id: string; state: string }[] };
    expect(body.total).toBe(3);
    expect(body.jobs.map((j) => [j.id, j.state])).toEqual([
      ['m3', 'waiting'],
      ['m2', 'delayed'],
      ['m1', 'waiting'],
    ]);
    const lib = await s.ctx.queues.get('outbound').getEntityJobs('acct-1');
    expect(body.jobs.map((j) => j.id)).toEqual(lib.jobs.map((j) => j.id));
    expect((await s.ctx.queues.get('outbound').getJob('m1'))?.group).toBe('acct-1');

    const page = await call(s, 'GET', '/v1/queues/outbound/jobs?entity=acct-1&offset=1&limit=1');
    expect((page.body as { jobs: { id: string }[] }).jobs.map((j) => j.id)).toEqual(['m2']);
    const none = await call(s, 'GET', '/v1/queues/outbound/jobs?entity=nobody');
    expect(none.body).toEqual({ total: 0, jobs: [] });
  });

  it('refuses entity with state, and an entity with |', async () => {
    const s = server();
    await call(s, 'POST', '/v1/queues/outbound/jobs', { body: { data: 1, entity: 'a' } });
    const both = await call(s, 'GET', '/v1/queues/outbound/jobs?entity=a&state=failed');
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ error: { code: 'SLC_ERR_BAD_REQUEST' } });
    const bar = await call(s, 'GET', '/v1/queues/outbound/jobs?entity=a%7Cb');
    expect(bar.status).toBe(400);
  });
});
