/** No token, secret or cookie reaches a log line, whichever way the caller sent it. */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { redactUrl } from '../../src/server/logging.js';
import { call, sign, startServer } from './helpers.js';

const SECRET = 'log-test-secret-do-not-print-0123456789';

describe('logging', () => {
  it('redacts the Authorization header, ?token= and cookies in every line', async () => {
    const lines: string[] = [];
    const s = await startServer({
      secret: SECRET,
      logLevel: 'trace',
      logDestination: { write: (l) => lines.push(l) },
    });
    try {
      const token = await sign(SECRET, { role: 'admin', sub: 'ops' });
      await call(s, 'GET', '/v1/queues', { token, headers: { cookie: 'session=cookie-value-42' } });
      await call(s, 'GET', `/v1/topics/t/entries?limit=5&token=${token}`);
      await call(s, 'GET', `/v1/topics/t/entries?token=${token}x`); // a bad one: 401
      await call(s, 'POST', '/v1/topics/t', { token, body: { data: { token } } });
      await call(s, 'GET', '/v1/nowhere', { token });
      await call(s, 'GET', `/v1/queues/%zz/jobs?token=${token}`); // the router's own refusal
      // a WebSocket upgrade to a route with no WebSocket handler: the plugin logs its path
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/v1/topics/t/events?token=${token}`);
      await new Promise<void>((resolve) => {
        ws.on('error', () => resolve());
        ws.on('close', () => resolve());
      });
      expect(lines.some((l) => l.includes('/v1/topics/t/events?token=[Redacted]'))).toBe(true);
      expect(lines.length).toBeGreaterThan(4); // a line per request was written
      const all = lines.join('\n');
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[2]!); // not even the signature part
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain('cookie-value-42');
      expect(all).toContain('token=[Redacted]');
    } finally {
      await s.close();
    }
  });

  it('replaces token query values and leaves the rest of the URL', () => {
    expect(redactUrl('/v1/t?after=0&token=abc.def&limit=2')).toBe(
      '/v1/t?after=0&token=[Redacted]&limit=2',
    );
    expect(redactUrl('/v1/t?TOKEN=x')).toBe('/v1/t?TOKEN=[Redacted]');
    expect(redactUrl('/v1/t?tokens=x')).toBe('/v1/t?tokens=x');
  });
});
