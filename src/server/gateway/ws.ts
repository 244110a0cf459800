/**
 * WebSocket at `GET /v1/ws` (on `ws`, via @fastify/websocket): many topics on one socket, JSON
 * text messages both ways (the protocol is in docs/gateway.md).
 *
 * Auth: a token in the `Authorization` header or `?token=` is checked before the upgrade (401
 * JSON on failure); without one the first message must be `{"type":"auth","token"}` within
 * `authTimeoutMs`. A later `auth` message replaces the token (extending a session before it
 * expires). Liveness: the server pings every `heartbeatMs` and drops a peer that answered no
 * ping for `deadPeerMs`; browsers, which cannot send pings, may send `{"type":"ping"}`.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { AuthError, RequestError, SluiceError, type Position } from '../../index.js';
import type { App, Principal } from '../types.js';
import { CLOSE, closeCodeFor } from './codes.js';
import { truncatedBody, wsEntry, wsMessage, wsWireFrame } from './frames.js';
import { bearerToken } from '../auth.js';
import { errorReply, wireError, type Gateway } from './gateway.js';
import type { GatewayEvent } from './hub.js';
import { isEphemeral } from './options.js';
import { Session, type Transport } from './session.js';
import { TickBatch } from './batch.js';

/** The parts of `ws`'s frame writer a pre-built frame goes through (as Socket.IO does). */
interface RawSender {
  _state?: number;
  sendFrame?(list: Buffer[], cb: () => void): void;
}

/** The WebSocket end of a session. */
class WsTransport implements Transport {
  session: Session | undefined;
  /** `ws`'s writer, when whole pre-built frames may go straight to it (no compression). */
  private readonly raw: RawSender | undefined;
  /** Frames of one event-loop turn go out in one write (see batch.ts). */
  private readonly batch: TickBatch | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly gw: Gateway,
  ) {
    const internals = ws as unknown as {
      _sender?: RawSender;
      _extensions?: object;
      _socket?: Socket;
    };
    const deflate = internals._extensions && 'permessage-deflate' in internals._extensions;
    this.raw =
      typeof internals._sender?.sendFrame === 'function' && !deflate
        ? internals._sender
        : undefined;
    this.batch = internals._socket ? new TickBatch(internals._socket) : undefined;
  }

  buffered(): number {
    return this.ws.bufferedAmount;
  }

  write(frame: Buffer, done: () => void): void {
    if (this.ws.readyState !== this.ws.OPEN) return done();
    // The fan-out path: the frame built once per message, one write per socket. Only while the
    // writer has nothing queued (state 0: no compression or blob in progress), to keep order.
    this.batch?.beforeWrite();
    if (this.raw?._state === 0) return this.raw.sendFrame!([wsWireFrame(frame)], done);
    this.ws.send(frame, { binary: false }, () => done());
  }

  frame(topic: string, event: GatewayEvent): Buffer {
    if (event.type === 'entry') return wsEntry(topic, event.entry);
    return wsMessage(truncatedBody(topic, event.truncation));
  }

  lost(topic: string, err: SluiceError): void {
    this.session!.send(wsMessage({ type: 'error', ...wireError(err), topic }));
  }

  end(err: SluiceError | undefined, resume: Record<string, Position | null>): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!err) return this.ws.close(CLOSE.normal);
    // The last message carries the resume hint of every topic; the close reason the first one.
    this.ws.send(wsMessage({ type: 'error', ...wireError(err), resume }));
    const first = Object.entries(resume)[0];
    const reason = first?.[1] ? `resume ${first[1]}`.slice(0, 120) : err.code;
    this.ws.close(closeCodeFor(err.code), reason);
    const cut = setTimeout(() => this.ws.terminate(), this.gw.opts.closeGraceMs);
    cut.unref();
    this.ws.once('close', () => clearTimeout(cut));
  }
}

interface ClientMessage {
  type?: unknown;
  id?: unknown;
  topic?: unknown;
  after?: unknown;
  token?: unknown;
  data?: unknown;
  idempotencyKey?: unknown;
}

/** Registers the WebSocket route. */
export function wsRoutes(app: App, gw: Gateway): void {
  app.route({
    method: 'GET',
    url: '/ws',
    // A token given with the upgrade request is checked before the upgrade (401 JSON).
    preValidation: async (req, reply) => {
      const token = bearerToken(req);
      if (token === undefined && gw.ctx.auth.enabled) return;
      try {
        (req as { principal?: Principal }).principal = await gw.ctx.auth.verify(token);
      } catch (err) {
        const e = errorReply(err);
        if (!e) throw err; // the error handler answers and logs it
        if (e.status >= 500) req.log.error({ err }, 'token check failed');
        return reply.code(e.status).send(e.body);
      }
    },
    // a plain GET (no upgrade) is told what the endpoint takes, in the wire shape
    handler: (_req, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({
          error: {
            code: 'SLC_ERR_BAD_REQUEST',
            message: 'this endpoint takes a WebSocket upgrade',
          },
        }),
    wsHandler: (ws, req) =>
      connection(ws, gw, (req as { principal?: Principal }).principal, req.log),
  });
}

function connection(
  ws: WebSocket,
  gw: Gateway,
  principal: Principal | undefined,
  log: FastifyBaseLogger,
): void {
  const transport = new WsTransport(ws, gw);
  let session: Session | undefined;
  const open = (p: Principal) => {
    session = new Session(transport, gw.hub, gw.ctx.auth, gw.opts, gw.stats, p);
    transport.session = session;
    gw.sessions.add(session);
  };
  if (principal) open(principal);
  const authTimer = principal
    ? undefined
    : setTimeout(
        () => ws.close(CLOSE.unauthorized, 'no auth message in time'),
        gw.opts.authTimeoutMs,
      );

  let alive = Date.now();
  ws.on('pong', () => (alive = Date.now()));
  const beat = setInterval(() => {
    if (Date.now() - alive > gw.opts.deadPeerMs) return ws.terminate();
    ws.ping();
  }, gw.opts.heartbeatMs);
  beat.unref();

  ws.on('close', () => {
    clearInterval(beat);
    clearTimeout(authTimer);
    if (session) {
      gw.sessions.delete(session);
      session.end();
    }
  });

  /** A reply, through the session's budget once there is one. */
  const reply = (body: Record<string, unknown>) => {
    if (session) session.send(wsMessage(body));
    else if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(body));
  };
  const fail = (err: unknown, m: ClientMessage) => {
    // what the peer is told is hidden for a 5xx (wireError); the log keeps the cause
    const e =
      err instanceof SluiceError ? err : new SluiceError('SLC_ERR_INTERNAL', 'internal error');
    if (e.status >= 500) log.error({ err, type: m.type }, 'websocket message failed');
    reply({
      type: 'error',
      ...wireError(e),
      ...(typeof m.topic === 'string' ? { topic: m.topic } : {}),
      ...(m.id !== undefined ? { id: m.id } : {}),
    });
  };

  // An `auth` checks its token asynchronously; a message sent after it (a `subscribe` right
  // behind it, as a browser's `onopen` sends them) waits for it, and so finds the session it
  // opens. Other messages do not wait for each other: a slow subscribe holds up no ping.
  let afterAuth: Promise<void> = Promise.resolve();
  ws.on('message', (raw, isBinary) => {
    alive = Date.now();
    let m: ClientMessage;
    try {
      m = JSON.parse(isBinary ? '' : raw.toString()) as ClientMessage;
      if (typeof m !== 'object' || m === null) throw new Error('not an object');
    } catch {
      return fail(new RequestError('SLC_ERR_BAD_REQUEST', 'messages are JSON objects'), {});
    }
    const run = afterAuth.then(() => handle(m)).catch((err: unknown) => fail(err, m));
    if (m.type === 'auth') afterAuth = run;
  });

  async function handle(m: ClientMessage): Promise<void> {
    const idPart = m.id !== undefined ? { id: m.id } : {};
    if (m.type === 'auth') {
      let p: Principal;
      try {
        p = await gw.ctx.auth.verify(typeof m.token === 'string' ? m.token : undefined);
      } catch (err) {
        const code = err instanceof AuthError ? closeCodeFor(err.code) : CLOSE.unauthorized;
        if (err instanceof SluiceError) reply({ type: 'error', ...wireError(err), ...idPart });
        ws.close(code, err instanceof SluiceError ? err.code : 'unauthorized');
        return;
      }
      clearTimeout(authTimer);
      if (ws.readyState !== ws.OPEN) return; // closed while the token was checked
      if (session) session.reauthorise(p);
      else open(p);
      reply({ type: 'authenticated', ...idPart, expiresAt: p.expiresAt ?? null });
      return;
    }
    if (m.type === 'ping') return reply({ type: 'pong', ...idPart });
    if (!session) {
      reply({ type: 'error', code: 'SLC_ERR_UNAUTHORIZED', message: 'send an auth message first' });
      ws.close(CLOSE.unauthorized, 'SLC_ERR_UNAUTHORIZED');
      return;
    }
    const s = session;
    const topic = m.topic;
    if (typeof topic !== 'string')
      throw new RequestError('SLC_ERR_BAD_REQUEST', `${String(m.type)} needs a "topic" string`);
    switch (m.type) {
      case 'subscribe': {
        if (m.after !== undefined && typeof m.after !== 'string')
          throw new RequestError('SLC_ERR_BAD_REQUEST', '"after" must be a position string');
        await s.subscribe(topic, m.after, (r) =>
          s.send(wsMessage({ type: 'subscribed', ...idPart, ...r })),
        );
        return;
      }
      case 'unsubscribe':
        s.unsubscribe(topic);
        return reply({ type: 'unsubscribed', topic, ...idPart });
      case 'publish':
        return publish(s, topic, m, idPart);
      default:
        throw new RequestError(
          'SLC_ERR_BAD_REQUEST',
          `unknown message type ${JSON.stringify(m.type)}`,
        );
    }
  }

  async function publish(
    s: Session,
    topic: string,
    m: ClientMessage,
    idPart: object,
  ): Promise<void> {
    if (!gw.ctx.auth.canPublish(s.principal, topic))
      throw new AuthError('SLC_ERR_FORBIDDEN', `the token does not allow publishing to ${topic}`);
    if (m.idempotencyKey !== undefined && typeof m.idempotencyKey !== 'string')
      throw new RequestError('SLC_ERR_BAD_REQUEST', '"idempotencyKey" must be a string');
    if (isEphemeral(gw.opts, topic)) {
      if (m.idempotencyKey !== undefined)
        throw new RequestError(
          'SLC_ERR_BAD_REQUEST',
          `${topic} is an ephemeral topic: an idempotencyKey needs a durable one`,
        );
      const { receivers } = await gw.ctx.streams.ephemeral(topic).publish(m.data);
      return reply({ type: 'published', topic, ...idPart, position: null, receivers });
    }
    const opts = m.idempotencyKey === undefined ? {} : { idempotencyKey: m.idempotencyKey };
    const r = await gw.ctx.streams.topic(topic).publish(m.data, opts);
    reply({ type: 'published', topic, ...idPart, position: r.position, duplicate: r.duplicate });
  }
}
