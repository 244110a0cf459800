/**
 * One client connection, whatever its protocol: who it is (the principal, and a timer at its
 * token's expiry), what it is subscribed to (with the last position handed to its socket per
 * topic, the resume hint), and its send budget. Every frame goes through `send`, which drops
 * the connection as a slow consumer the moment its unsent bytes or messages pass the budget —
 * the gateway never buffers without limit for a peer that does not read.
 */
import { AuthError, RequestError, SluiceError, type Position } from '../../index.js';
import type { Authenticator, Principal } from '../types.js';
import type { FeedSink, GatewayEvent, GatewayHub } from './hub.js';
import { isEphemeral, type GatewayOptions } from './options.js';
import type { GatewayStats } from './stats.js';
import { untilExpiry } from '../expiry.js';

/** What a transport (SSE, WebSocket) does for a session. */
export interface Transport {
  /** Bytes written but not yet handed to the kernel. */
  buffered(): number;
  /** Writes a frame; `done` runs once it is handed to the kernel (or the connection died). */
  write(frame: Buffer, done: () => void): void;
  /** An entry or truncation of `topic`, encoded for this protocol. */
  frame(topic: string, event: GatewayEvent): Buffer;
  /** A subscription ended by the server (its connection stays, where the protocol allows). */
  lost(topic: string, err: SluiceError): void;
  /** Ends the connection; `resume` is the last position handed to the socket per topic. */
  end(err: SluiceError | undefined, resume: Record<string, Position | null>): void;
}

/** How a subscription starts: what the client is told (`subscribed`, `Sluice-Replay`). */
export interface SubscribeResult {
  topic: string;
  /** `live`: from now on; `resumed`: every entry after `from`; `truncated`: history after the
   * asked position is gone, replay starts at `from` (the oldest kept entry, `0` if none);
   * `ephemeral`: live only, a topic with no history (nothing can be resumed). */
  replay: 'live' | 'resumed' | 'truncated' | 'ephemeral';
  from: Position | null;
  /** True only for `resumed`: nothing the client asked for was lost. */
  recovered: boolean;
}

interface Sub {
  last: Position | null;
  stop: () => void;
}

/** A subscription the client must not retry: the topic was deleted or expired (SSE: 204). */
export class TopicGoneError extends RequestError {
  constructor(topic: string) {
    super('SLC_ERR_NOT_FOUND', `topic ${topic} was deleted or has expired: do not resume it`);
  }
}

/**
 * One connection's state (see the file notes).
 *
 * @example
 * ```ts
 * const session = new Session(transport, hub, ctx.auth, opts, stats, principal);
 * const result = await session.subscribe('orders', undefined, (r) => announce(r));
 * ```
 */
export class Session {
  readonly subs = new Map<string, Sub>();
  closed = false;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private cancelExpiry: () => void = () => {};

  constructor(
    private readonly transport: Transport,
    private readonly hub: GatewayHub,
    private readonly auth: Authenticator,
    private readonly opts: GatewayOptions,
    private readonly stats: GatewayStats,
    public principal: Principal,
  ) {
    stats.connections++;
    this.schedule();
  }

  /** Replaces the principal (a fresh token); drops subscriptions it no longer allows. */
  reauthorise(principal: Principal): void {
    this.principal = principal;
    this.schedule();
    for (const topic of [...this.subs.keys()]) {
      if (this.auth.canRead(principal, topic)) continue;
      this.unsubscribe(topic);
      this.transport.lost(topic, forbidden(topic));
    }
  }

  /**
   * Subscribes to `topic` after `after` (undefined: live only). Checks the token, then calls
   * `announce` right before the first event can be sent. Throws a `SluiceError` instead (and
   * `TopicGoneError` when resuming a topic that no longer exists).
   */
  async subscribe(
    topic: string,
    after: Position | undefined,
    announce: (r: SubscribeResult) => void,
  ): Promise<void> {
    if (!this.auth.canRead(this.principal, topic)) throw forbidden(topic);
    if (this.subs.has(topic))
      throw new RequestError('SLC_ERR_BAD_REQUEST', `already subscribed to ${topic}`);
    if (this.subs.size >= this.opts.maxSubscriptions)
      throw new RequestError(
        'SLC_ERR_BAD_REQUEST',
        `at most ${this.opts.maxSubscriptions} subscriptions per connection`,
      );
    const sub: Sub = { last: null, stop: () => {} };
    this.subs.set(topic, sub);
    const sink = this.sink(topic, sub);
    const go = (r: SubscribeResult) => () => {
      if (this.closed || this.subs.get(topic) !== sub) return false;
      announce(r);
      return true;
    };
    try {
      const ephemeral = isEphemeral(this.opts, topic);
      if (ephemeral || after === undefined) {
        const r: SubscribeResult = ephemeral
          ? { topic, replay: 'ephemeral', from: null, recovered: false }
          : { topic, replay: 'live', from: null, recovered: false };
        const announceThen = go(r);
        sub.stop = await this.hub.live(topic, ephemeral, sink, () => {
          if (!announceThen()) return false;
          // Asked to resume an ephemeral topic: say at once that nothing can be recovered.
          if (ephemeral && after !== undefined)
            sink.onEvent({
              type: 'truncated',
              truncation: { reason: 'ephemeral', firstAvailable: null },
            });
          return true;
        });
      } else {
        const r = await this.startingPoint(topic, after);
        sub.last = after === '0' ? null : after;
        sub.stop = await this.hub.replay(topic, after, sink, () => this.room(), go(r));
      }
    } catch (err) {
      if (this.subs.get(topic) === sub) this.subs.delete(topic);
      throw err;
    }
    if (this.subs.get(topic) !== sub) sub.stop(); // unsubscribed (or closed) while starting
  }

  /** Ends the subscription to `topic`; false if there was none. */
  unsubscribe(topic: string): boolean {
    const sub = this.subs.get(topic);
    if (!sub) return false;
    this.subs.delete(topic);
    sub.stop();
    return true;
  }

  /**
   * Sends a frame; drops the connection as slow (and returns false) when that would pass the
   * budget. `topic`/`position` record what was handed to the socket (the resume hint).
   */
  send(frame: Buffer, topic?: string, position?: Position | null): boolean {
    if (this.closed) return false;
    const buffered = this.transport.buffered();
    // Messages count only while bytes wait in user space: a write the kernel took at once still
    // has its callback pending until the next turn of the event loop, and is no backlog.
    if (
      buffered + frame.length > this.opts.maxBufferedBytes ||
      (buffered > 0 && this.pending >= this.opts.maxBufferedMessages)
    ) {
      this.stats.slowDropped++;
      this.end(
        new SluiceError(
          'SLC_ERR_SLOW_CONSUMER',
          `the client read too slowly (over ${this.opts.maxBufferedBytes} bytes or ${this.opts.maxBufferedMessages} messages unsent)`,
        ),
      );
      return false;
    }
    this.pending++;
    if (buffered + frame.length > this.stats.maxBufferedBytes)
      this.stats.maxBufferedBytes = buffered + frame.length;
    this.transport.write(frame, () => {
      this.pending--;
      if (topic !== undefined && position) {
        const sub = this.subs.get(topic);
        if (sub) sub.last = position;
      }
      if (this.waiters.length > 0 && this.hasRoom()) for (const w of this.waiters.splice(0)) w();
    });
    return true;
  }

  /** Ends the connection (idempotent), with the resume hint of every subscription. */
  end(err?: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.stats.connections--;
    this.cancelExpiry();
    const resume: Record<string, Position | null> = {};
    for (const [topic, sub] of this.subs) resume[topic] = sub.last;
    for (const topic of [...this.subs.keys()]) this.unsubscribe(topic);
    for (const w of this.waiters.splice(0)) w();
    this.transport.end(err, resume);
  }

  /** Where a resume from `after` starts; throws TopicGoneError if the topic no longer exists. */
  private async startingPoint(topic: string, after: Position): Promise<SubscribeResult> {
    const page = await this.hub.peek(topic, after);
    if (page.epoch === null && after !== '0') throw new TopicGoneError(topic);
    if (page.truncated)
      return {
        topic,
        replay: 'truncated',
        from: page.truncated.firstAvailable ?? '0',
        recovered: false,
      };
    return { topic, replay: 'resumed', from: after, recovered: true };
  }

  private sink(topic: string, sub: Sub): FeedSink {
    return {
      onEvent: (event) => {
        if (this.subs.get(topic) !== sub) return;
        const position = event.type === 'entry' ? event.entry.position : null;
        if (this.send(this.transport.frame(topic, event), topic, position)) {
          if (event.type === 'entry') this.stats.delivered++;
        }
      },
      onEnd: (err) => {
        if (this.subs.get(topic) !== sub) return;
        this.subs.delete(topic);
        const e =
          err instanceof SluiceError
            ? err
            : new SluiceError('SLC_ERR_CLOSED', `the subscription to ${topic} ended`);
        this.transport.lost(topic, e);
      },
    };
  }

  private hasRoom(): boolean {
    const buffered = this.transport.buffered();
    return (
      buffered < this.opts.maxBufferedBytes / 2 &&
      (buffered === 0 || this.pending < this.opts.maxBufferedMessages / 2)
    );
  }

  /** Resolves true once the socket has room for more, false once the session closed. */
  private async room(): Promise<boolean> {
    while (!this.closed && !this.hasRoom()) await new Promise<void>((r) => this.waiters.push(r));
    return !this.closed;
  }

  private schedule(): void {
    this.cancelExpiry();
    this.cancelExpiry = untilExpiry(this.principal.expiresAt, () =>
      this.end(new AuthError('SLC_ERR_TOKEN_EXPIRED', 'the token has expired')),
    );
  }
}

function forbidden(topic: string): AuthError {
  return new AuthError('SLC_ERR_FORBIDDEN', `the token does not allow reading ${topic}`);
}
