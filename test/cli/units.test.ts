/** The CLI's pure parts: config resolution, exit codes, tables, progress frames, SSE frames. */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { createApi } from '../../src/cli/client.js';
import { AuthError, ConfigError, ConnectionError } from '../../src/index.js';
import { DEFAULT_URL, resolve, tokenFileOf } from '../../src/cli/config.js';
import { ApiError, describeError, exitCodeOf, usage } from '../../src/cli/errors.js';
import { captureIo } from '../../src/cli/io.js';
import { printTable } from '../../src/cli/output.js';
import { progressLine, startProgress } from '../../src/cli/progress.js';
import { readEvents } from '../../src/cli/sse.js';

describe('resolve(flags, env, file)', () => {
  it('takes the URL from --url, then SLUICE_URL, then the default; trims a trailing slash', () => {
    expect(resolve({ url: 'http://a:1/' }, { SLUICE_URL: 'http://b:2' }, {}).url).toBe(
      'http://a:1',
    );
    expect(resolve({}, { SLUICE_URL: 'https://b:2/base/' }, {}).url).toBe('https://b:2/base');
    expect(resolve({}, {}, {}).url).toBe(DEFAULT_URL);
    expect(() => resolve({ url: 'redis://x' }, {}, {})).toThrow(ConfigError);
    expect(() => resolve({ url: 'nope' }, {}, {})).toThrow(ConfigError);
  });

  it('takes the token from the token file first, then SLUICE_TOKEN; an empty file is an error', () => {
    expect(resolve({}, { SLUICE_TOKEN: 'env' }, { token: 'file\n' }).token).toBe('file');
    expect(resolve({}, { SLUICE_TOKEN: ' env ' }, {}).token).toBe('env');
    expect(resolve({}, {}, {})).toEqual({ url: DEFAULT_URL });
    expect(() => resolve({}, {}, { token: '\n' })).toThrow(/token file is empty/);
    expect(tokenFileOf({ tokenFile: '/a' }, { SLUICE_TOKEN_FILE: '/b' })).toBe('/a');
    expect(tokenFileOf({}, { SLUICE_TOKEN_FILE: '/b' })).toBe('/b');
  });
});

describe('exit codes', () => {
  it('maps each failure to its documented code and prints code: message', () => {
    expect(exitCodeOf(new ApiError('SLC_ERR_NOT_FOUND', 'x', 404))).toBe(1);
    expect(exitCodeOf(new ApiError('SLC_ERR_CONNECTION', 'redis down', 503))).toBe(1);
    expect(exitCodeOf(usage('bad'))).toBe(2);
    expect(exitCodeOf(new ConfigError(['x']))).toBe(2);
    // the server refused an argument as malformed: a usage error too
    expect(exitCodeOf(new ApiError('SLC_ERR_BAD_REQUEST', 'params/queue must match', 400))).toBe(2);
    expect(exitCodeOf(new ApiError('SLC_ERR_INVALID_NAME', 'bad name', 400))).toBe(2);
    expect(exitCodeOf(new ApiError('SLC_ERR_INVALID_POSITION', 'bad position', 400))).toBe(2);
    expect(exitCodeOf(new ApiError('SLC_ERR_JOB_STATE', 'not delayed', 409))).toBe(1);
    expect(exitCodeOf(new ConnectionError('down'))).toBe(3);
    expect(exitCodeOf(new ApiError('SLC_ERR_FORBIDDEN', 'no', 403))).toBe(4);
    expect(exitCodeOf(new AuthError('SLC_ERR_TOKEN_EXPIRED', 'old'))).toBe(4);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
    expect(describeError(new ApiError('SLC_ERR_NOT_FOUND', 'queue q is not known', 404))).toBe(
      'SLC_ERR_NOT_FOUND: queue q is not known',
    );
  });
});

describe('output', () => {
  it('aligns a table with a header on a terminal; tab-separated without one when piped', () => {
    const tty = captureIo({ stdoutTTY: true });
    printTable(
      tty,
      ['A', 'LONGER'],
      [
        ['x\ty', 1],
        [null, 'z'],
      ],
    );
    expect(tty.out()).toBe('A    LONGER\nx y  1\n-    z\n');
    const piped = captureIo();
    printTable(piped, ['A', 'LONGER'], [['x\ty', 1]]);
    expect(piped.out()).toBe('x y\t1\n');
  });

  it('draws progress only on a terminal', () => {
    expect(progressLine('retrying', 50, 200, 10)).toBe('retrying [###.......]  25% 50/200');
    const piped = captureIo();
    const bar = startProgress(piped, 'x', 10);
    bar.update(5);
    bar.finish();
    expect(piped.err()).toBe('');
    const tty = captureIo({ stderrTTY: true });
    startProgress(tty, 'x', 10).update(10);
    expect(tty.err()).toContain('100% 10/10');
    // clear() empties the line for output to the same terminal; the next update draws it again
    const shared = captureIo({ stderrTTY: true });
    const b = startProgress(shared, 'y', 10);
    b.update(4);
    const before = shared.err().length;
    b.clear();
    expect(shared.err().slice(before)).toBe('\r\x1b[2K');
    b.update(4); // the same figures: drawn again all the same
    expect(shared.err().endsWith(progressLine('y', 4, 10))).toBe(true);
  });
});

describe('SSE frames', () => {
  it('reads id, event and multi-line data across chunk edges; comments are not events', async () => {
    const chunks = [
      'id: e:1-0\nevent: en',
      'try\ndata: {"a":\ndata: 1}\n',
      '\n: heartbeat\n\ndata: x\n\n',
    ];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
        c.close();
      },
    });
    const events = [];
    for await (const ev of readEvents(body)) events.push(ev);
    expect(events).toEqual([
      { id: 'e:1-0', event: 'entry', data: '{"a":\n1}' },
      { event: 'message', data: 'x' },
    ]);
  });
});

describe('an error answer without the error shape (a proxy page)', () => {
  /** A real HTTP server that answers every request with `status` and an HTML page. */
  async function proxy(status: number): Promise<{ server: Server; url: string }> {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>nginx</h1>');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const addr = server.address() as { port: number };
    return { server, url: `http://127.0.0.1:${addr.port}` };
  }

  async function failureOf(status: number): Promise<unknown> {
    const { server, url } = await proxy(status);
    try {
      return await createApi({ url })
        .get('/v1/queues')
        .then(
          () => undefined,
          (err: unknown) => err,
        );
    } finally {
      server.close();
    }
  }

  it('gives up on a server that accepts and never answers: SLC_ERR_TIMEOUT', async () => {
    const silent = createServer(() => {}); // takes every request, answers none
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    try {
      const err = await createApi({ url: `http://127.0.0.1:${port}` }, fetch, 300)
        .get('/v1/queues')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toMatchObject({ code: 'SLC_ERR_TIMEOUT' });
      expect(describeError(err)).toMatch(/did not answer within 0\.3 s/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('is a documented code: 502–504 unreachable (exit 3), 5xx internal, 4xx by status', async () => {
    const bad = await failureOf(502);
    expect(bad).toBeInstanceOf(ConnectionError);
    expect(exitCodeOf(bad)).toBe(3);
    expect(describeError(bad)).toMatch(/^SLC_ERR_CONNECTION: cannot reach the server at .*502/);
    for (const [status, code, exit] of [
      [500, 'SLC_ERR_INTERNAL', 1],
      [504, 'SLC_ERR_CONNECTION', 3],
      [401, 'SLC_ERR_UNAUTHORIZED', 4],
      [404, 'SLC_ERR_NOT_FOUND', 1],
      [418, 'SLC_ERR_INTERNAL', 1],
    ] as const) {
      const err = await failureOf(status);
      expect(describeError(err).split(':')[0]).toBe(code);
      expect(Object.keys(ERROR_CODES)).toContain(code);
      expect(exitCodeOf(err)).toBe(exit);
    }
  });
});
