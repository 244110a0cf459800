/**
 * One rule for the caller's token on every route (src/server/auth.ts `bearerToken`): the admin
 * API, `/metrics`, SSE and the WebSocket upgrade answer the same way to the same credentials.
 */
import { describe, expect, it } from 'vitest';
import { SECRET, WsClient, sseText, startServer, token } from './helpers.js';

describe('the token rule', () => {
  it('is the same for the admin API, /metrics, SSE and the WebSocket upgrade', async () => {
    const s = await startServer({ secret: SECRET });
    const admin = await token({ role: 'admin' });
    const cases: { name: string; headers: Record<string, string>; query: string; ok: boolean }[] = [
      { name: 'header', headers: { authorization: `Bearer ${admin}` }, query: '', ok: true },
      {
        name: 'header, spaces, any case',
        headers: { authorization: `  bearer   ${admin} ` },
        query: '',
        ok: true,
      },
      { name: 'query on GET', headers: {}, query: `token=${admin}`, ok: true },
      // A header is the credential the caller chose: a query token does not override it.
      {
        name: 'another scheme in the header, a token in the query',
        headers: { authorization: 'Basic dXNlcjpwdw==' },
        query: `token=${admin}`,
        ok: false,
      },
      {
        name: 'a token with a space in it',
        headers: { authorization: `Bearer ${admin} x` },
        query: '',
        ok: false,
      },
    ];
    for (const c of cases) {
      const q = c.query ? `?${c.query}` : '';
      const api = await fetch(`${s.url}/v1/queues${q}`, { headers: c.headers });
      await api.body?.cancel();
      const metrics = await fetch(`${s.url}/metrics${q}`, { headers: c.headers });
      await metrics.body?.cancel();
      const sse = await sseText(`${s.url}/v1/topics/t/events${q}`, c.headers);
      sse.abort();
      const statuses = [api.status, metrics.status, sse.res.status];
      expect(statuses, c.name).toEqual(c.ok ? [200, 200, 200] : [401, 401, 401]);
      if (c.ok) {
        // The upgrade carries the token: the socket may subscribe without an `auth` message.
        const ws = new WsClient(`${s.ws}${q}`, { headers: c.headers });
        await ws.opened;
        expect(await ws.subscribe('t'), c.name).toMatchObject({ type: 'subscribed' });
        ws.socket.close();
      }
    }
  });
});
