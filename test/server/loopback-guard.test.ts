/**
 * With no secret every caller is an admin, so a web page elsewhere must not reach the server
 * through the operator's browser: foreign origins (a simple cross-origin POST, a WebSocket) and
 * foreign host names (DNS rebinding) are refused; loopback callers pass.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { loopbackAllowed } from '../../src/server/loopback-guard.js';
import { redactUrl } from '../../src/server/logging.js';
import { call, startServer, type TestServer } from './helpers.js';

let s: TestServer | undefined;

/** A raw request: fetch sets Host itself, and a rebinding page's Host is the point here. */
function raw(server: TestServer, method: string, path: string, headers: Record<string, string>) {
  const u = new URL(server.url);
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('loopback guard (no secret)', () => {
  it('refuses a foreign Origin or Host, and serves loopback callers', async () => {
    s = await startServer();
    await s.ctx.queues.get('guarded').add('x', 1);
    const pause = (headers: Record<string, string>) =>
      call(s!, 'POST', '/v1/queues/guarded/pause', { headers });
    const evil = await pause({ origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatchObject({ error: { code: 'SLC_ERR_FORBIDDEN' } });
    expect(await s.ctx.queues.get('guarded').isPaused()).toBe(false); // nothing happened
    expect((await pause({ origin: 'null' })).status).toBe(403);
    expect(await raw(s, 'GET', '/v1/queues', { host: 'rebound.example:80' })).toBe(403);
    // The dashboard (same origin), the CLI and curl (no Origin) pass.
    expect((await pause({ origin: s.url })).status).toBe(200);
    expect(
      (await call(s, 'GET', '/v1/queues', { headers: { origin: 'http://localhost:3000' } })).status,
    ).toBe(200);
  });

  it('refuses a WebSocket opened by a foreign page', async () => {
    s = await startServer();
    const ws = s.url.replace('http', 'ws') + '/v1/ws';
    const status = await new Promise<number>((resolve) => {
      const c = new WebSocket(ws, { origin: 'https://evil.example' });
      c.on('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      c.on('open', () => {
        c.close();
        resolve(101);
      });
      c.on('error', () => {});
    });
    expect(status).toBe(403);
    const ok = await new Promise<boolean>((resolve) => {
      const c = new WebSocket(ws, { origin: s!.url });
      c.on('open', () => (c.close(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    expect(ok).toBe(true);
  });

  it('decides on host and origin names, not ports', () => {
    expect(loopbackAllowed('127.0.0.1:7700', undefined)).toBe(true);
    expect(loopbackAllowed('[::1]:7700', 'http://[::1]:7700')).toBe(true);
    expect(loopbackAllowed('localhost', 'http://localhost:5173')).toBe(true);
    expect(loopbackAllowed('127.0.0.1.evil.example', undefined)).toBe(false);
    expect(loopbackAllowed('127.0.0.1:7700', 'http://127.0.0.1.evil.example')).toBe(false);
  });
});

describe('log redaction', () => {
  it('redacts a token query key however it is spelled', () => {
    expect(redactUrl('/v1/t?%74oken=abc&after=1')).toBe('/v1/t?%74oken=[Redacted]&after=1');
    expect(redactUrl('/v1/t?access_token=abc')).toBe('/v1/t?access_token=[Redacted]');
    expect(redactUrl('/v1/t?tokens=x&after=token')).toBe('/v1/t?tokens=x&after=token');
  });
});

describe('streaming routes', () => {
  it('have no HEAD twin that would hold a subscription open', async () => {
    s = await startServer();
    // 405: the path exists, for GET only (see src/server/errors.ts).
    expect((await call(s, 'HEAD', '/v1/topics/t/events')).status).toBe(405);
    expect((await call(s, 'HEAD', '/v1/live/queues')).status).toBe(405);
  });
});
