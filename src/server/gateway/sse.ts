/**
 * SSE at `GET /v1/topics/:topic/events`: one topic per stream. Framing: `id: <position>` /
 * `event: entry` / `data: <json>`; `event: subscribed` first (how replay starts, also in the
 * `Sluice-Replay` / `Sluice-Replay-From` headers), `event: truncated` where history is gone,
 * `event: disconnect` before the server ends a stream on purpose, `retry:` advice and comment
 * heart-beats. `Last-Event-ID` (what a browser's EventSource sends when it reconnects) wins over
 * `?after=`. Errors before the stream starts are the JSON error shape; a resume of a topic that
 * no longer exists is answered 204, which tells an EventSource to stop retrying.
 */
import type { ServerResponse } from 'node:http';
import { SluiceError, parsePosition, type Position } from '../../index.js';
import type { App } from '../types.js';
import { sseEntry, sseEvent } from './frames.js';
import { topicEvents } from '../schemas/gateway.js';
import { bearerToken } from '../auth.js';
import { errorReply, wireError, type Gateway } from './gateway.js';
import type { GatewayEvent } from './hub.js';
import { Session, TopicGoneError, type SubscribeResult, type Transport } from './session.js';
import { TickBatch } from './batch.js';

const HEARTBEAT = Buffer.from(': hb\n\n');

/** The SSE end of a session. */
class SseTransport implements Transport {
  started = false;
  private heartbeat: NodeJS.Timeout | undefined;
  session: Session | undefined;
  /** Frames of one event-loop turn go out in one write (see batch.ts). */
  private readonly batch: TickBatch;

  constructor(
    private readonly res: ServerResponse,
    private readonly gw: Gateway,
  ) {
    this.batch = new TickBatch(res);
  }

  /** Writes the head, the retry advice and the `subscribed` event (the stream begins). */
  start(r: SubscribeResult): void {
    this.started = true;
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'sluice-replay': r.replay,
    };
    if (r.from !== null) headers['sluice-replay-from'] = r.from;
    this.res.writeHead(200, headers);
    this.res.write(`retry: ${this.gw.opts.retryMs}\n\n`);
    this.session!.send(sseEvent('subscribed', r));
    this.heartbeat = setInterval(() => this.session!.send(HEARTBEAT), this.gw.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  buffered(): number {
    return this.res.writableLength;
  }

  write(frame: Buffer, done: () => void): void {
    if (this.res.destroyed) return done();
    this.batch.beforeWrite();
    this.res.write(frame, () => done());
  }

  frame(_topic: string, event: GatewayEvent): Buffer {
    if (event.type === 'entry') return sseEntry(event.entry);
    return sseEvent('truncated', event.truncation);
  }

  lost(_topic: string, err: SluiceError): void {
    this.session!.end(err); // one topic per stream: the stream ends (the browser reconnects)
  }

  end(err: SluiceError | undefined, resume: Record<string, Position | null>): void {
    clearInterval(this.heartbeat);
    if (!this.started || this.res.destroyed) return;
    if (err) {
      const after = Object.values(resume)[0] ?? null;
      this.res.write(sseEvent('disconnect', { ...wireError(err), after }));
    }
    // The stream is the connection's last response: close it once flushed (no keep-alive idle),
    // and cut a peer that does not read (it would hold the socket and its buffer) after a grace.
    const socket = this.res.socket;
    this.res.end(() => socket?.end());
    if (!socket) return;
    const cut = setTimeout(() => socket.destroy(), this.gw.opts.closeGraceMs);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
  }
}

/** Registers the SSE route. */
export function sseRoutes(app: App, gw: Gateway): void {
  // No HEAD twin: a HEAD would open a real subscription and hold it.
  app.get(
    '/topics/:topic/events',
    { exposeHeadRoute: false, schema: topicEvents },
    async (req, reply) => {
      const { topic } = req.params as { topic: string };
      const query = req.query as { after?: unknown };
      try {
        const principal = await gw.ctx.auth.verify(bearerToken(req));
        const lastId = req.headers['last-event-id'];
        let after: Position | undefined;
        if (typeof lastId === 'string' && lastId !== '') after = lastId;
        else if (typeof query.after === 'string') after = query.after;
        if (after !== undefined) parsePosition(after);
        const transport = new SseTransport(reply.raw, gw);
        const session = new Session(transport, gw.hub, gw.ctx.auth, gw.opts, gw.stats, principal);
        transport.session = session;
        gw.sessions.add(session);
        const gone = () => {
          gw.sessions.delete(session);
          session.end();
        };
        reply.raw.once('close', gone);
        try {
          await session.subscribe(topic, after, (r) => {
            reply.hijack();
            transport.start(r);
          });
        } catch (err) {
          reply.raw.off('close', gone);
          gone();
          throw err;
        }
        if (!transport.started) {
          reply.hijack(); // the client left while the subscription was starting
          reply.raw.destroy();
        }
      } catch (err) {
        if (err instanceof TopicGoneError) return reply.code(204).send();
        const e = errorReply(err);
        if (!e) throw err; // the error handler answers and logs it
        if (e.status >= 500) req.log.error({ err }, 'subscription failed');
        return reply.code(e.status).send(e.body);
      }
    },
  );
}
