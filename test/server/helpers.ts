/**
 * Shared helpers of the server suites: a real server (ServerConfig → createContext → buildApp →
 * listen on 127.0.0.1:0) over the harness Redis under a unique prefix, closed after each test,
 * plus tokens signed with jose and a small JSON fetch.
 */
import { afterEach, beforeEach } from 'vitest';
import { SignJWT } from 'jose';
import { buildApp } from '../../src/server/app.js';
import { closeContext, createContext } from '../../src/server/context.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { LogDestination } from '../../src/server/logging.js';
import type { App, ServerContext } from '../../src/server/types.js';
import { redisUrl, uniquePrefix } from '../harness/context.js';

export interface TestServer {
  url: string;
  app: App;
  ctx: ServerContext;
  config: ServerConfig;
  close(): Promise<void>;
}

export interface ServerOptions {
  secret?: string;
  logLevel?: ServerConfig['logLevel'];
  logDestination?: LogDestination;
}

/** Starts a server on a free port; `close` stops it and its library handles. */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const config: ServerConfig = {
    redisUrl: redisUrl(),
    prefix: uniquePrefix(),
    host: '127.0.0.1',
    port: 0,
    logLevel: opts.logLevel ?? 'silent',
    ...(opts.secret ? { secret: opts.secret } : {}),
  };
  const ctx = createContext(config);
  const app = await buildApp(
    ctx,
    opts.logDestination ? { logDestination: opts.logDestination } : {},
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    ctx,
    config,
    async close() {
      await app.close();
      await closeContext(ctx);
    },
  };
}

/** A fresh server per test (see {@link startServer}). */
export function useServer(opts: ServerOptions = {}): () => TestServer {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startServer(opts);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('server used outside a test');
    return current;
  };
}

/** Signs an HS256 token with `claims`; `expiresIn` in seconds (negative: already expired). */
export async function sign(
  secret: string,
  claims: Record<string, unknown>,
  expiresIn = 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now - 10)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(secret));
}

// Answers are checked by the tests' assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface Answer<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request; `body` is sent as JSON unless it is a string. */
export async function call<T = Loose>(
  server: TestServer,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // left as text: the caller's assertion says what was expected
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}
