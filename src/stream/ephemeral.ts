/**
 * EphemeralTopic: a non-durable topic over plain Redis Pub/Sub — the lowest latency, but no
 * history, no positions and no resume: a subscriber gets what is published while it is
 * subscribed, and nothing it missed (a dropped connection loses messages). Subscribing takes
 * the same call as a durable topic; asking to resume (`after`) yields a `truncated` event with
 * reason `ephemeral` first, so the loss is never silent. Get one from {@link Streams.ephemeral}.
 *
 * @example
 * ```ts
 * const typing = streams.ephemeral<{ user: string }>('typing:conv-7');
 * const sub = typing.subscribe();
 * await sub.ready();
 * await typing.publish({ user: 'ada' });
 * ```
 */
import { Cluster } from 'ioredis';
import { serialisePayload } from '../validate.js';
import type { Hub } from './hub.js';
import type { ChannelHandler } from './live-router.js';
import { DEFAULT_MAX_BUFFERED, checkSubscribeOptions } from './options.js';
import type { EphemeralEntry, SubscriptionEvent } from './types.js';
import type { SubscribeOptions } from './topic.js';

type Event<T> = SubscriptionEvent<EphemeralEntry<T>>;

/** The one Pub/Sub reader of an ephemeral channel in a hub, fanning out to its subscribers. */
class EphemeralReader implements ChannelHandler {
  readonly sinks = new Set<EphemeralSubscription<unknown>>();
  readonly ready: Promise<void>;

  constructor(
    private readonly hub: Hub,
    readonly channel: string,
  ) {
    this.ready = hub.router.join(channel, this);
    // A reader that could not subscribe is not kept: the next subscription tries afresh.
    this.ready.catch(() => {
      const map = readers.get(hub);
      if (map?.get(channel) === this) map.delete(channel);
      hub.router.leave(channel, this);
    });
  }

  onMessage(message: string): void {
    const cut = message.indexOf('\n');
    let entry: EphemeralEntry;
    try {
      entry = {
        position: null,
        time: Number(message.slice(0, cut)),
        data: JSON.parse(message.slice(cut + 1)),
      };
    } catch {
      return;
    }
    for (const sink of this.sinks) sink.push({ type: 'entry', entry });
  }

  onResync(): void {
    // The connection dropped: whatever was published meanwhile is gone, and there is no history.
    for (const sink of this.sinks) sink.lost('ephemeral');
  }

  leave(sink: EphemeralSubscription<unknown>): void {
    this.sinks.delete(sink);
    if (this.sinks.size === 0) {
      this.hub.router.leave(this.channel, this);
      const map = readers.get(this.hub);
      if (map?.get(this.channel) === this) map.delete(this.channel);
    }
  }
}

const readers = new WeakMap<Hub, Map<string, EphemeralReader>>();

/**
 * A subscription to an ephemeral topic: the same iteration as a durable one, entries without
 * positions, and a `truncated` event wherever messages may have been lost.
 *
 * @example
 * ```ts
 * const sub = typing.subscribe({ signal });
 * await sub.ready();
 * for await (const ev of sub) if (ev.type === 'entry') showTyping(ev.entry.data);
 * ```
 */
export class EphemeralSubscription<T = unknown> implements AsyncIterableIterator<Event<T>> {
  private queue: Event<T>[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  /** @internal removes the abort listener */
  detach: (() => void) | undefined;

  /** @internal use `ephemeralTopic.subscribe()` */
  constructor(
    private readonly reader: EphemeralReader,
    private readonly maxBuffered: number,
    private readonly onClose: () => void,
  ) {
    reader.sinks.add(this as EphemeralSubscription<unknown>);
  }

  /** Resolves once Redis confirmed the subscription: from then on nothing published is missed. */
  ready(): Promise<void> {
    return this.reader.ready;
  }

  /** Always null: an ephemeral topic has no positions. */
  get position(): null {
    return null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event; waits for one. */
  async next(): Promise<IteratorResult<Event<T>>> {
    await this.reader.ready;
    for (;;) {
      const event = this.queue.shift();
      if (event) return { value: event, done: false };
      if (this.closed) return { value: undefined, done: true };
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Ends the subscription (what `break` in `for await` calls). */
  async return(): Promise<IteratorResult<Event<T>>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Ends the subscription; a pending `next()` resolves as done. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.detach?.();
    this.detach = undefined;
    this.reader.leave(this as EphemeralSubscription<unknown>);
    this.wake();
    this.onClose();
  }

  /** @internal */
  push(event: Event<unknown>): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxBuffered) return this.lost('overflow');
    this.queue.push(event as Event<T>);
    this.wake();
  }

  /** @internal entries were (or may have been) lost */
  lost(reason: 'overflow' | 'ephemeral'): void {
    if (this.closed) return;
    if (reason === 'overflow') this.queue = this.queue.filter((e) => e.type !== 'entry');
    this.queue.push({ type: 'truncated', truncation: { reason, firstAvailable: null } });
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/**
 * A non-durable topic over plain Pub/Sub (see the file notes). Get one from `streams.ephemeral()`.
 *
 * @example
 * ```ts
 * const typing = streams.ephemeral<{ user: string }>('typing:conv-7');
 * const { receivers } = await typing.publish({ user: 'ada' });
 * ```
 */
export class EphemeralTopic<T = unknown> {
  /** @internal use `streams.ephemeral()` */
  constructor(
    private readonly hub: Hub,
    readonly name: string,
    private readonly channel: string,
    private readonly maxPayloadBytes: number,
  ) {}

  /**
   * Publishes to whoever is subscribed now; resolves with how many Redis connections got it
   * (0 when nobody listens — the message is then gone; on Cluster, only the subscribers on the
   * node serving the channel are counted). Retries while Redis is unreachable. Messages of one
   * publisher arrive in the order it published them (on Cluster too: see
   * `stream_ephemeral_publish.lua`).
   */
  async publish(data: T): Promise<{ receivers: number }> {
    this.hub.assertOpen();
    const message = `${Date.now()}\n${serialisePayload(data, this.maxPayloadBytes, 'data')}`;
    const receivers =
      this.hub.conn.client instanceof Cluster
        ? await this.hub.conn.script('stream_ephemeral_publish', [this.channel], [message])
        : await this.hub.conn.run((c) => c.publish(this.channel, message), 'PUBLISH');
    return { receivers: Number(receivers) };
  }

  /** Subscribes to what is published from now on (see the class notes on `after`). */
  subscribe(options: SubscribeOptions = {}): EphemeralSubscription<T> {
    this.hub.assertOpen();
    const opts = checkSubscribeOptions(options);
    const maxBuffered = opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    let map = readers.get(this.hub);
    if (!map) readers.set(this.hub, (map = new Map()));
    let reader = map.get(this.channel);
    if (!reader) map.set(this.channel, (reader = new EphemeralReader(this.hub, this.channel)));
    const sub: EphemeralSubscription<T> = new EphemeralSubscription<T>(reader, maxBuffered, () =>
      this.hub.untrack(sub),
    );
    this.hub.track(sub);
    if (opts.after !== undefined) sub.lost('ephemeral');
    const signal = opts.signal;
    if (signal) {
      const abort = () => sub.close();
      if (signal.aborted) sub.close();
      else {
        signal.addEventListener('abort', abort, { once: true });
        sub.detach = () => signal.removeEventListener('abort', abort);
      }
    }
    return sub;
  }
}
