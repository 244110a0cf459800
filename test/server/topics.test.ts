/** Topic routes over real HTTP: publish, info with groups, entries pages, the topic list. */
import { describe, expect, it } from 'vitest';
import { call, useServer } from './helpers.js';

const server = useServer();

describe('topic routes', () => {
  it('publishes (201, 200 for a repeated idempotency key) and pages the entries', async () => {
    const s = server();
    const first = await call(s, 'POST', '/v1/topics/run:1', {
      body: { data: { node: 'a' }, idempotencyKey: 'k1' },
    });
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const dup = await call(s, 'POST', '/v1/topics/run:1', {
      body: { data: { node: 'a' }, idempotencyKey: 'k1' },
    });
    expect(dup.status).toBe(200);
    expect(dup.body).toEqual({ position: first.body.position, duplicate: true });
    await call(s, 'POST', '/v1/topics/run:1', { body: { data: { node: 'b' } } });
    await call(s, 'POST', '/v1/topics/run:1', { body: { data: { node: 'c' } } });

    const page = await call(s, 'GET', '/v1/topics/run:1/entries?limit=2');
    expect(page.status).toBe(200);
    expect(page.body.entries.map((e: { data: { node: string } }) => e.data.node)).toEqual([
      'a',
      'b',
    ]);
    expect(page.body).toMatchObject({ truncated: null, hasMore: true });
    const next = await call(
      s,
      'GET',
      `/v1/topics/run:1/entries?after=${encodeURIComponent(page.body.next)}`,
    );
    expect(next.body.entries.map((e: { data: { node: string } }) => e.data.node)).toEqual(['c']);
    // Library view agrees.
    const lib = await s.ctx.streams.topic('run:1').range({ after: '0' });
    expect(lib.entries).toHaveLength(3);
  });

  it('says truncated when after is older than what is kept', async () => {
    const s = server();
    const t = s.ctx.streams.topic('short', { maxLen: 2 });
    const { position } = await t.publish(1);
    for (let i = 2; i <= 10; i++) await t.publish(i);
    await t.publish(11); // trims again
    const r = await call(
      s,
      'GET',
      `/v1/topics/short/entries?after=${encodeURIComponent(position)}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.truncated).toMatchObject({ reason: 'trimmed' });
  });

  it('shows info with each group lag and pending, and lists registered topics', async () => {
    const s = server();
    const t = s.ctx.streams.topic('orders');
    for (let i = 0; i < 3; i++) await t.publish({ i });
    await t.group('billing').create();
    const info = await call(s, 'GET', '/v1/topics/orders');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ name: 'orders', exists: true, length: 3 });
    expect(info.body.first).toMatch(/^.+:\d+-\d+$/);
    expect(info.body.groups).toEqual([
      expect.objectContaining({ name: 'billing', lag: 3, pending: 0 }),
    ]);
    await call(s, 'POST', '/v1/topics/audit', { body: { data: 'x' } });
    const list = await call(s, 'GET', '/v1/topics');
    expect(list.body.total).toBe(2);
    expect(list.body.topics.map((x: { name: string }) => x.name)).toEqual(['audit', 'orders']);
    const unknown = await call(s, 'GET', '/v1/topics/never');
    expect(unknown.body).toMatchObject({ exists: false, length: 0 });
  });

  it('refuses a bad position and an entry over the topic limit', async () => {
    const s = server();
    const bad = await call(s, 'GET', '/v1/topics/t/entries?after=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('SLC_ERR_INVALID_POSITION');
    const big = await call(s, 'POST', '/v1/topics/t', { body: { data: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('SLC_ERR_PAYLOAD_TOO_LARGE');
  });
});
