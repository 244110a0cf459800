/** Schedule routes over real HTTP: each answer checked against the library's own view. */
import { describe, expect, it } from 'vitest';
import { call, useServer } from './helpers.js';

const server = useServer();

describe('schedule routes', () => {
  it('PUT creates (201), the same spec again is 200, GET lists, DELETE removes', async () => {
    const s = server();
    const body = {
      cron: '0 3 * * *',
      tz: 'America/New_York',
      data: { r: 1 },
      opts: { priority: 'high' },
    };
    const first = await call(s, 'PUT', '/v1/queues/reports/schedules/nightly', { body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      changed: true,
      schedule: {
        key: 'nightly',
        cron: '0 3 * * *',
        tz: 'America/New_York',
        name: 'nightly',
        catchUp: 'one',
      },
    });
    const next = first.body.schedule.next as number;
    // 03:00 in New York is 07:00 or 08:00 UTC (EDT / EST)
    expect([7, 8]).toContain(new Date(next).getUTCHours());
    const again = await call(s, 'PUT', '/v1/queues/reports/schedules/nightly', { body });
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);

    const q = s.ctx.queues.get('reports');
    expect((await q.getJob(`sched:nightly:${next}`))?.priority).toBe(10);
    const list = await call(s, 'GET', '/v1/queues/reports/schedules');
    expect(list.status).toBe(200);
    expect(list.body.schedules).toEqual(await q.schedules());

    const del = await call(s, 'DELETE', '/v1/queues/reports/schedules/nightly');
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ key: 'nightly', removed: true });
    expect(await q.schedules()).toEqual([]);
    const gone = await call(s, 'DELETE', '/v1/queues/reports/schedules/nightly');
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('SLC_ERR_NOT_FOUND');
  });

  it('refuses a bad spec with the library validation error', async () => {
    const s = server();
    const r = await call(s, 'PUT', '/v1/queues/reports/schedules/x', {
      body: { cron: 'nope', everyMs: 100 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SLC_ERR_INVALID_OPTIONS');
    expect(r.body.error.message).toMatch(/give cron or everyMs/);
    const unknown = await call(s, 'GET', '/v1/queues/never-seen/schedules');
    expect(unknown.status).toBe(404);
  });
});
