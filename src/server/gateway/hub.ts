/**
 * The gateway hub: how one process's clients share the library's subscriptions.
 *
 * - Live-only subscribers of a topic (no resume position) share ONE library subscription per
 *   topic (a `feed`); each event it yields is handed to every local client synchronously, and
 *   its frames are encoded once (see frames.ts). Ephemeral topics always go this way.
 * - A subscriber that resumes from a position gets its own library subscription: the library
 *   replays its backlog page by page and hands it over to the live flow with no gap and no
 *   duplicate. It is paced by its connection (the next event is taken only when the socket has
 *   room), so a slow replay reads Redis instead of piling up in memory.
 * Either way every subscriber of a topic in this process rides the library's one Redis reader
 * of that topic (one Pub/Sub channel, one ring of recent entries).
 */
import type {
  EphemeralEntry,
  EphemeralSubscription,
  RangePage,
  StreamEntry,
  Streams,
  Subscription,
  SubscriptionEvent,
} from '../../index.js';

/** An event as a client receives it. */
export type GatewayEvent = SubscriptionEvent<StreamEntry | EphemeralEntry>;

/** A client's end of a subscription. */
export interface FeedSink {
  /** An event of the topic (called synchronously by the feed). */
  onEvent(event: GatewayEvent): void;
  /** The library subscription ended: `err` says why (undefined: closed on purpose). */
  onEnd(err: unknown): void;
}

type LibrarySub = Subscription | EphemeralSubscription;

/** One shared live subscription and the clients on it. */
class Feed {
  readonly sinks = new Set<FeedSink>();
  /** Joiners waiting for `ready` (the feed is kept while any wait). */
  joining = 0;
  readonly ready: Promise<void>;

  constructor(
    readonly key: string,
    private readonly sub: LibrarySub,
    private readonly onDone: (feed: Feed) => void,
  ) {
    this.ready = sub.ready();
    void this.run();
  }

  private async run(): Promise<void> {
    let failure: unknown;
    try {
      for await (const event of this.sub) for (const sink of this.sinks) sink.onEvent(event);
    } catch (err) {
      failure = err;
    }
    this.onDone(this);
    for (const sink of [...this.sinks]) sink.onEnd(failure);
    this.sinks.clear();
  }

  close(): void {
    this.sub.close();
  }
}

/** Counters of the hub, for metrics and tests. */
export interface HubStats {
  /** Shared live feeds open (one library subscription each). */
  feeds: number;
  /** Per-client replay subscriptions open. */
  replays: number;
}

/**
 * The process's gateway hub (see the file notes).
 *
 * @example
 * ```ts
 * const hub = new GatewayHub(ctx.streams);
 * const leave = await hub.live('orders', false, sink, () => announce());
 * ```
 */
export class GatewayHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly replays = new Set<LibrarySub>();
  private closed = false;

  constructor(private readonly streams: Streams) {}

  /**
   * Joins the shared live feed of a topic. Once the feed is live, calls `announce` and attaches
   * the sink in the same step, so no entry reaches the client before its announcement, and every
   * entry published after `announce` does. Returns how to leave.
   */
  async live(
    topic: string,
    ephemeral: boolean,
    sink: FeedSink,
    announce: () => boolean,
  ): Promise<() => void> {
    const key = `${ephemeral ? 'e' : 'd'}\n${topic}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      const sub = ephemeral
        ? this.streams.ephemeral(topic).subscribe()
        : this.streams.topic(topic).subscribe();
      feed = new Feed(key, sub, (f) => {
        if (this.feeds.get(f.key) === f) this.feeds.delete(f.key);
      });
      this.feeds.set(key, feed);
    }
    const joined = feed;
    joined.joining++;
    try {
      await joined.ready;
    } catch (err) {
      if (this.feeds.get(key) === joined) this.feeds.delete(key);
      joined.close();
      throw err;
    } finally {
      joined.joining--;
    }
    const leave = () => {
      joined.sinks.delete(sink);
      if (joined.sinks.size === 0 && joined.joining === 0) {
        if (this.feeds.get(key) === joined) this.feeds.delete(key);
        joined.close();
      }
    };
    if (this.closed || !announce()) {
      leave();
      return () => {};
    }
    joined.sinks.add(sink);
    return leave;
  }

  /**
   * A client's own subscription resuming after `after`: the library replays, then goes live.
   * `room` resolves true when the client can take the next event (false: stop). Calls `announce`
   * before the first event. Returns how to stop.
   */
  async replay(
    topic: string,
    after: string,
    sink: FeedSink,
    room: () => Promise<boolean>,
    announce: () => boolean,
  ): Promise<() => void> {
    const sub = this.streams.topic(topic).subscribe({ after });
    this.replays.add(sub);
    const stop = () => {
      this.replays.delete(sub);
      sub.close();
    };
    try {
      await sub.ready();
    } catch (err) {
      stop();
      throw err;
    }
    if (this.closed || !announce()) {
      stop();
      return () => {};
    }
    void (async () => {
      let failure: unknown;
      try {
        while (await room()) {
          const next = await sub.next();
          if (next.done) break;
          sink.onEvent(next.value);
        }
      } catch (err) {
        failure = err;
      }
      const ended = this.replays.has(sub);
      stop();
      if (ended) sink.onEnd(failure);
    })();
    return stop;
  }

  /** The first page after `after` (one entry): says whether the topic exists, and truncation. */
  peek(topic: string, after: string): Promise<RangePage> {
    return this.streams.topic(topic).range({ after, limit: 1 });
  }

  /** Open feeds and replays now. */
  stats(): HubStats {
    return { feeds: this.feeds.size, replays: this.replays.size };
  }

  /** Ends every library subscription (their clients are told via `onEnd`). */
  close(): void {
    this.closed = true;
    for (const feed of [...this.feeds.values()]) feed.close();
    for (const sub of [...this.replays]) sub.close();
  }
}
