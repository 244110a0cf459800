/** The one error shape: Fastify's own failures, 404 vs 405, and hidden-but-logged 5xx. */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { call, startServer, useServer } from './helpers.js';

/** Sends `request` as it is on a socket of its own; the status and JSON body of the answer. */
async function raw(url: string, request: string): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(url);
  const text = await new Promise<string>((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => sock.write(request));
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
    sock.setTimeout(5000, () => sock.destroy(new Error('no answer')));
  });
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) as unknown };
}

const server = useServer();

describe('error answers', () => {
  it('maps malformed JSON, an empty JSON body and a wrong media type to SLC_ERR_BAD_REQUEST', async () => {
    const s = server();
    const bad = await call(s, 'POST', '/v1/queues/q/jobs', { body: '{"data": 1,' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'SLC_ERR_BAD_REQUEST', message: expect.any(String) },
    });
    const empty = await call(s, 'POST', '/v1/queues/q/jobs', {
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('SLC_ERR_BAD_REQUEST');
    const text = await call(s, 'POST', '/v1/queues/q/jobs', {
      body: '<data>1</data>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(text.status).toBe(400);
    expect(text.body.error).toEqual({
      code: 'SLC_ERR_BAD_REQUEST',
      message: 'unsupported content type: send application/json',
    });
  });

  it('answers what the router and the HTTP parser refuse in the wire shape, quoting nothing', async () => {
    const s = server();
    const secret = 'tok.en-value-that-must-not-come-back';
    const badEscape = await call(s, 'GET', `/v1/queues/%zz/jobs?token=${secret}`);
    expect(badEscape.status).toBe(400);
    expect(badEscape.body).toEqual({
      error: { code: 'SLC_ERR_BAD_REQUEST', message: 'the URL holds a malformed % escape' },
    });
    const long = await call(s, 'GET', `/v1/queues/${'q'.repeat(600)}/jobs?token=${secret}`);
    expect(long.status).toBe(400);
    expect(long.body).toEqual({
      error: {
        code: 'SLC_ERR_BAD_REQUEST',
        message: 'a path segment is longer than 512 characters',
      },
    });
    expect(JSON.stringify([badEscape.body, long.body])).not.toContain(secret);
    const garbage = await raw(s.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toEqual({
      status: 400,
      body: { error: { code: 'SLC_ERR_BAD_REQUEST', message: 'the request is not valid HTTP' } },
    });
    const huge = await raw(
      s.url,
      `GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toEqual({
      status: 431,
      body: {
        error: { code: 'SLC_ERR_BAD_REQUEST', message: 'the request headers are too large' },
      },
    });
  });

  it('lists every schema problem in one SLC_ERR_BAD_REQUEST', async () => {
    const s = server();
    const r = await call(s, 'POST', '/v1/queues/q/jobs', {
      body: { data: 1, delay: -5, priority: 'urgent', colour: 'red' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('SLC_ERR_BAD_REQUEST');
    // The message names each field that is wrong.
    for (const word of ['delay', 'priority', 'colour'])
      expect(r.body.error.message).toContain(word);
    const q = await call(s, 'GET', '/v1/queues/q/jobs?limit=0&state=lost');
    expect(q.status).toBe(400);
    expect(q.body.error.message).toContain('limit');
    expect(q.body.error.message).toContain('state');
  });

  it('maps a body past the limit to 413 SLC_ERR_PAYLOAD_TOO_LARGE', async () => {
    const s = server();
    const r = await call(s, 'POST', '/v1/queues/q/jobs', {
      body: JSON.stringify({ data: 'x'.repeat(9 * 1024 * 1024) }),
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('SLC_ERR_PAYLOAD_TOO_LARGE');
  });

  it('tells an unknown route (404) from a wrong method (405 with Allow)', async () => {
    const s = server();
    const missing = await call(s, 'GET', '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SLC_ERR_NOT_FOUND');
    const wrong = await call(s, 'PUT', '/v1/queues/q/jobs');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('SLC_ERR_METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    const del = await call(s, 'DELETE', '/v1/queues/q');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
  });

  it('hides 5xx text and logs the cause', async () => {
    const lines: string[] = [];
    const s = await startServer({
      logLevel: 'error',
      logDestination: { write: (l) => lines.push(l) },
    });
    try {
      await s.ctx.streams.close(); // every topic call now fails with SLC_ERR_CLOSED (503)
      const r = await call(s, 'POST', '/v1/topics/t', { body: { data: 1 } });
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: { code: 'SLC_ERR_CLOSED', message: 'internal error' } });
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
      expect(logged).toContainEqual(
        expect.objectContaining({
          msg: 'request failed',
          err: expect.objectContaining({ message: 'streams is closed' }),
        }),
      );
    } finally {
      await s.close();
    }
  });
});
