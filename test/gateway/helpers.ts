/**
 * Shared helpers of the gateway suites: a real server (createContext + buildApp, listening on
 * 127.0.0.1:0) over the harness Redis under a unique prefix, closed after each test; tokens;
 * a WebSocket client that collects messages; and a raw SSE reader.
 */
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach } from 'vitest';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { buildApp } from '../../src/server/index.js';
import { closeContext, createContext } from '../../src/server/context.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { GatewayOptions } from '../../src/server/gateway/options.js';
import type { App, ServerContext } from '../../src/server/types.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

export const SECRET = 'gateway-test-secret-0123456789abcdef';

export interface TestServer {
  app: App;
  ctx: ServerContext;
  /** `http://127.0.0.1:<port>` */
  url: string;
  ws: string;
  prefix: string;
}

const sockets: WebSocket[] = [];
const open: { app: App; ctx: ServerContext }[] = [];
afterEach(async () => {
  for (const w of sockets.splice(0)) w.terminate();
  for (const s of open.splice(0).reverse()) {
    await s.app.close();
    await closeContext(s.ctx);
  }
});

/** Starts a server; `gateway` is the gateway block of the configuration. */
export async function startServer(
  opts: {
    secret?: string;
    gateway?: Partial<GatewayOptions>;
    prefix?: string;
    /** Extra routes (e.g. a test page), added before the server listens. */
    routes?: (app: App) => void;
  } = {},
): Promise<TestServer> {
  const prefix = opts.prefix ?? uniquePrefix();
  const config: ServerConfig = {
    redisUrl: redisUrl(),
    prefix,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    ...(opts.secret ? { secret: opts.secret } : {}),
    ...(opts.gateway ? { gateway: opts.gateway } : {}),
  };
  const ctx = createContext(config);
  const app = await buildApp(ctx);
  opts.routes?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  open.push({ app, ctx });
  return { app, ctx, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/v1/ws`, prefix };
}

/** A signed token with these claims (`exp` in seconds from now, default 1 hour). */
export async function token(
  claims: { topics?: string[]; publish?: true | string[]; role?: string; sub?: string },
  expSeconds = 3600,
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(new TextEncoder().encode(SECRET));
}

/** A WebSocket client that keeps every message it got. */
export class WsClient {
  readonly messages: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly socket: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    sockets.push(this.socket);
    this.socket.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as never));
    this.socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.socket.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
      this.socket.once('error', reject);
    });
  }

  send(body: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(body));
  }

  of(type: string, topic?: string): Record<string, unknown>[] {
    return this.messages.filter(
      (m) => m.type === type && (topic === undefined || m.topic === topic),
    );
  }

  /** Waits for a message of `type` (and topic) beyond the first `skip`. */
  async next(type: string, topic?: string, skip = 0): Promise<Record<string, unknown>> {
    return (await waitFor(() => this.of(type, topic)[skip], `ws message ${type}`))!;
  }

  /** Subscribes and waits for `subscribed` (or an error). */
  async subscribe(topic: string, after?: string): Promise<Record<string, unknown>> {
    const id = `s${Math.random()}`;
    this.send({ type: 'subscribe', topic, id, ...(after !== undefined ? { after } : {}) });
    return (await waitFor(() => this.messages.find((m) => m.id === id), `reply for ${topic}`))!;
  }
}

/** An HTTP response as the SSE helpers see it. */
export interface SseResponse {
  status: number;
  headers: { get(name: string): string | null };
}

/**
 * Reads an SSE response's text as it arrives (for raw framing checks). Plain `node:http` with
 * no agent: one connection, closed by `abort` (fetch's pool may open spare idle connections
 * that hold `app.close()`).
 */
export async function sseText(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ res: SseResponse; text: () => string; abort: () => void }> {
  let buf = '';
  let req: ClientRequest | undefined;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req = httpGet(url, { headers, agent: false }, resolve);
    req.on('error', reject);
  });
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (buf += chunk));
  res.on('error', () => {});
  return {
    res: {
      status: res.statusCode ?? 0,
      headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
    },
    text: () => buf,
    abort: () => req?.destroy(),
  };
}

/** The `data` of every `event: entry` in an SSE text, with its id. */
export function sseEntries(text: string): { id: string | undefined; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: entry'))
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { id, data: data === undefined ? undefined : (JSON.parse(data) as unknown) };
    });
}

export { waitFor };
