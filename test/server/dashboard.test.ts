/** The dashboard's server side: static files, session, history, search, and the live stream. */
import { describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { livePoller } from '../../src/server/live-poller.js';
import { loadDashboard } from '../../src/server/routes/dashboard.js';
import { waitFor } from '../harness/context.js';
import { call, sign, useServer } from './helpers.js';

const SECRET = 'dashboard-secret';
const server = useServer({ secret: SECRET });
const admin = () => sign(SECRET, { role: 'admin', sub: 'ops' });
const viewer = () => sign(SECRET, { role: 'viewer' });

describe('dashboard routes', () => {
  it('serves the built files: hashed assets immutable, index.html no-cache', async () => {
    const files = loadDashboard();
    expect(files.has('/index.html'), 'run npm run build first').toBe(true);
    const index = await fetch(server().url + '/');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const js = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await fetch(`${server().url}/${js}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(server().url + '/assets/../package.json')).status).toBe(404);
  });

  it('tells the role of a token, refuses none', async () => {
    expect((await call(server(), 'GET', '/v1/session')).status).toBe(401);
    const a = await call(server(), 'GET', '/v1/session', { token: await admin() });
    expect(a.body).toEqual({ role: 'admin', subject: 'ops', authEnabled: true });
    const v = await call(server(), 'GET', '/v1/session', { token: await viewer() });
    expect(v.body.role).toBe('viewer');
    const none = await call(server(), 'GET', '/v1/session', { token: await sign(SECRET, {}) });
    expect(none.status).toBe(403);
  });

  it('answers history and search for a viewer, 404 for an unknown queue', async () => {
    const token = await viewer();
    const q = server().ctx.queues.get('dq');
    await q.add('sync', { text: 'find me' }, { id: 'a1', meta: { account: 'acct-9' } });
    await q.add('sync', { text: 'other' }, { id: 'a2' });
    const h = await call(server(), 'GET', '/v1/queues/dq/history?range=7d', { token });
    expect(h.status).toBe(200);
    expect(h.body.completed).toHaveLength(169);
    const s = await call(server(), 'GET', '/v1/queues/dq/search?q=acct-9&field=meta.account', {
      token,
    });
    expect(s.status).toBe(200);
    expect(s.body.jobs.map((j: { id: string }) => j.id)).toEqual(['a1']);
    expect(s.body.cursor).toBe('0');
    expect(s.body.jobs[0].data).toEqual({ text: 'find me' });
    const bad = await call(server(), 'GET', '/v1/queues/dq/search?q=x&field=nope', { token });
    expect(bad.status).toBe(400);
    expect((await call(server(), 'GET', '/v1/queues/zz/history', { token })).status).toBe(404);
  });

  it('streams stats to every viewer from one shared poller', async () => {
    const token = await admin();
    const q = server().ctx.queues.get('live');
    await q.add('x', 1);
    const seen: number[][] = [[], [], []];
    const sources = seen.map(
      () =>
        new EventSource(`${server().url}/v1/live/queues`, {
          fetch: (url, init) =>
            fetch(url, {
              ...init,
              headers: { ...init?.headers, authorization: `Bearer ${token}` },
            }),
        }),
    );
    sources.forEach((es, i) =>
      es.addEventListener('stats', (e) => {
        const snap = JSON.parse(e.data) as { queues: { name: string; waiting: number }[] };
        seen[i]!.push(snap.queues.find((x) => x.name === 'live')?.waiting ?? -1);
      }),
    );
    const poller = livePoller(server().ctx);
    await waitFor(async () => seen.every((s) => s.length >= 3), 'three ticks each');
    expect(poller.viewers).toBe(3);
    // Three viewers, one poller: about one tick per second, not three.
    const ticks = poller.ticks;
    const seenBefore = seen[0]!.length;
    await new Promise((r) => setTimeout(r, 2100));
    expect(poller.ticks - ticks).toBeLessThanOrEqual(seen[0]!.length - seenBefore + 1);
    expect(seen[0]!.at(-1)).toBe(1);
    for (const es of sources) es.close();
    await waitFor(async () => poller.viewers === 0, 'viewers gone');
  });
  it('ends the live stream with SLC_ERR_TOKEN_EXPIRED when its token expires', async () => {
    // 2 s (`exp` is whole seconds): the stream is open well before it passes
    const token = await sign(SECRET, { role: 'viewer' }, 2);
    const res = await fetch(`${server().url}/v1/live/queues`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const started = Date.now();
    const text = await res.text(); // resolves once the server ends the stream
    expect(Date.now() - started).toBeGreaterThan(500);
    const last = text.trim().split('\n\n').at(-1)!;
    expect(last.split('\n')[0]).toBe('event: disconnect');
    expect(JSON.parse(last.split('\n')[1]!.slice('data: '.length))).toEqual({
      code: 'SLC_ERR_TOKEN_EXPIRED',
      message: 'the token has expired',
    });
  });
});
