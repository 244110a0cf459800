/**
 * A live subscription to a durable topic: an async iterator that yields the backlog after a
 * position, page by page, then live entries — with no gap and no duplicate, also across a drop
 * of the Redis connection.
 *
 * Modes. `init` (no `after`): reads the topic's tail once, then goes live from there.
 * `catchup`: reads a page after its last position — only when the consumer has taken everything
 * it holds, so memory stays bounded however far behind it is. A short page means it has caught
 * up: it continues from the shared reader's ring of recent entries (or, if the ring does not
 * reach back to its last position, reads again) and goes `live`. `live`: it takes a batch the
 * reader forwards only if the batch's chain starts exactly at its last position; anything else
 * (a gap, a new epoch, a reconnect, data too large to travel inline, a tail check showing newer
 * entries, or its buffer full because the consumer is slow) sends it back to `catchup`. Ids at
 * or before its last position are skipped, so nothing is yielded twice.
 *
 * Freshness. Each read has a number (see `Hub`). Whenever the subscription learns that entries
 * exist beyond what it has (the events above), it notes the latest read number (`fresh`); it
 * then joins only reads sent after that, and goes live only on a page from such a read. So a
 * read shared with another subscriber, or one already in flight when a reconnect happened,
 * never makes it go live behind the topic.
 */
import { ClosedError } from '../errors.js';
import type { LiveBatch } from './notification.js';
import { compareIds, formatPosition, type Position } from './position.js';
import type { LiveSink, TopicReader } from './topic-reader.js';
import type { StreamEntry, SubscriptionEvent, Truncation } from './types.js';
import type { RawTruncation } from './commands.js';

/** A page as a subscription needs it (parsed, shared between identical reads). */
export interface ParsedPage {
  /** Number of the read that produced it (see `Hub.coalesce`). */
  seq: number;
  epoch: string | null;
  truncated: RawTruncation;
  firstId: string | null;
  lastId: string;
  entries: StreamEntry[];
}

/** How subscriptions read a topic (provided by the topic, shared by its subscribers). */
export interface PageSource {
  /** The number of the latest read sent. */
  readSeq(): number;
  /** Entries after `afterId`, from a read numbered after `since`. */
  readAfter(afterId: string, epoch: string, limit: number, since: number): Promise<ParsedPage>;
  /** The tail (no entries), from a read numbered after `since`. */
  readTail(since: number): Promise<ParsedPage>;
}

/** Counters of a subscription, e.g. for metrics or to spot a slow consumer. */
export interface SubscriptionStats {
  /** Events waiting for the consumer now. */
  buffered: number;
  /** Most events ever waiting at once. */
  maxBuffered: number;
  /** Pages read from Redis (backlog and catch-up reads). */
  pagesRead: number;
  /** Entries yielded so far. */
  delivered: number;
  /** Where it is: starting, reading Redis, following live notifications, or ended. */
  mode: 'init' | 'catchup' | 'live' | 'closed';
}

type Event<T> = SubscriptionEvent<StreamEntry<T>>;

/**
 * What `topic.subscribe()` returns: an async iterator of entries and truncation notices.
 *
 * @example
 * ```ts
 * const sub = topic.subscribe({ after: saved });
 * for await (const ev of sub) {
 *   if (ev.type === 'entry') render(ev.entry);
 *   else showGap(ev.truncation);
 * }
 * saved = sub.position; // where to resume next time
 * ```
 */
export class Subscription<T = unknown> implements AsyncIterableIterator<Event<T>>, LiveSink {
  private queue: Event<T>[] = [];
  private mode: SubscriptionStats['mode'];
  /** Epoch and id of the last entry queued (or the starting point). */
  private epoch: string | null;
  private last: string;
  /** Epoch and id of the last entry yielded to the consumer. */
  private yielded: { epoch: string | null; id: string };
  /** Only a read numbered above this one may be joined, or end the catch-up (file notes). */
  private fresh: number;
  private waiters: (() => void)[] = [];
  /** The live-only start (reading the tail), begun at construction. */
  private starting: Promise<void> | undefined;
  /** The page read in progress, shared by concurrent `next()` calls. */
  private reading: Promise<void> | undefined;
  private failure: unknown;
  private detach: (() => void) | undefined;
  private readonly source: PageSource;
  private readonly counters = { maxBuffered: 0, pagesRead: 0, delivered: 0 };

  /** @internal use `topic.subscribe()` */
  constructor(
    private readonly reader: TopicReader,
    start: { epoch: string | null; id: string } | undefined,
    private readonly pageSize: number,
    private readonly maxBuffered: number,
    private readonly onClose: (s: Subscription<T>) => void,
    signal: AbortSignal | undefined,
  ) {
    this.source = reader.source;
    this.fresh = this.source.readSeq();
    this.mode = start ? 'catchup' : 'init';
    this.epoch = start?.epoch ?? null;
    this.last = start?.id ?? '0-0';
    this.yielded = { epoch: this.epoch, id: this.last };
    reader.sinks.add(this);
    if (!start) this.starting = this.start().catch((err: unknown) => this.fail(err));
    if (signal) {
      const abort = () => this.close();
      if (signal.aborted) this.close();
      else {
        signal.addEventListener('abort', abort, { once: true });
        this.detach = () => signal.removeEventListener('abort', abort);
      }
    }
  }

  /**
   * Where to resume after a restart: the position of the last entry yielded (or, before any,
   * the starting point). Null while the topic has had no entry to start from.
   */
  get position(): Position | null {
    return this.yielded.epoch === null || this.yielded.id === '0-0'
      ? null
      : formatPosition(this.yielded.epoch, this.yielded.id);
  }

  /**
   * Resolves once the subscription has its starting point: without `after`, every entry
   * published after this resolves is delivered; with `after`, once the live channel is
   * subscribed (reading waits for it anyway).
   */
  ready(): Promise<void> {
    return this.starting ?? this.reader.ready;
  }

  /** Its counters now. */
  get stats(): SubscriptionStats {
    return { buffered: this.queue.length, mode: this.mode, ...this.counters };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event; waits for one. Throws what ended the subscription, if it failed. */
  async next(): Promise<IteratorResult<Event<T>>> {
    for (;;) {
      const event = this.queue.shift();
      if (event) {
        if (event.type === 'entry') {
          const p = event.entry.position;
          this.yielded = { epoch: p.slice(0, p.indexOf(':')), id: event.entry.id };
          this.counters.delivered++;
        }
        return { value: event, done: false };
      }
      if (this.mode === 'closed') {
        if (this.failure) throw this.failure;
        return { value: undefined, done: true };
      }
      try {
        if (this.mode === 'init') await this.starting;
        else if (this.mode === 'catchup') await (this.reading ??= this.readPage());
        else await new Promise<void>((resolve) => this.waiters.push(resolve));
      } catch (err) {
        this.fail(err);
      }
    }
  }

  /** Ends the subscription (what `break` in `for await` calls). */
  async return(): Promise<IteratorResult<Event<T>>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Ends the subscription; a pending `next()` resolves as done. */
  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.queue = [];
    this.detach?.();
    this.detach = undefined;
    this.reader.sinks.delete(this);
    this.wake();
    this.onClose(this);
  }

  /** @internal a batch of live entries from the reader */
  onLive(batch: LiveBatch): void {
    if (this.mode !== 'live') return;
    if (this.epoch !== null && batch.epoch !== this.epoch) return this.toCatchup();
    for (const e of batch.entries) {
      if (compareIds(e.id, this.last) <= 0) continue;
      if (e.prev !== this.last || !e.entry) return this.toCatchup();
      // The consumer is slow: keep what it holds, read the rest from Redis once it took that.
      if (this.queue.length >= this.maxBuffered) return this.toCatchup();
      this.epoch = batch.epoch;
      this.push({ type: 'entry', entry: e.entry as StreamEntry<T> });
      this.last = e.id;
    }
  }

  /** @internal notifications may have been lost */
  onResync(): void {
    if (this.mode === 'closed') return;
    this.fresh = this.source.readSeq();
    if (this.mode === 'live') this.toCatchup();
  }

  /** @internal the topic's tail, as read by read number `seq` */
  onTail(epoch: string | null, lastId: string, seq: number): void {
    if (this.mode === 'closed' || this.mode === 'init') return;
    if (epoch === this.epoch && compareIds(lastId, this.last) <= 0) return;
    if (this.mode === 'live') this.toCatchup();
    else this.fresh = Math.max(this.fresh, seq);
  }

  /** Live-only start: begin after the topic's current tail. */
  private async start(): Promise<void> {
    await this.reader.ready;
    this.fresh = this.source.readSeq(); // a tail read after the channel is subscribed
    const tail = await this.source.readTail(this.fresh);
    if (this.mode !== 'init') return;
    this.epoch = tail.epoch;
    this.last = tail.lastId;
    this.yielded = { epoch: this.epoch, id: this.last };
    if (tail.seq > this.fresh) this.goLive();
    else this.mode = 'catchup'; // a reconnect happened meanwhile: read after the tail first
  }

  private async readPage(): Promise<void> {
    try {
      await this.reader.ready;
      const page = await this.source.readAfter(
        this.last,
        this.epoch ?? '',
        this.pageSize,
        this.fresh,
      );
      if (this.mode !== 'catchup') return;
      this.counters.pagesRead++;
      if (page.truncated) {
        const truncation: Truncation = {
          reason: page.truncated,
          firstAvailable:
            page.epoch !== null && page.firstId !== null
              ? formatPosition(page.epoch, page.firstId)
              : null,
        };
        this.push({ type: 'truncated', truncation });
        if (page.truncated === 'epoch') this.last = '0-0';
      }
      if (page.epoch !== null || page.truncated === 'epoch') this.epoch = page.epoch;
      for (const entry of page.entries) {
        if (compareIds(entry.id, this.last) <= 0) continue;
        this.push({ type: 'entry', entry: entry as StreamEntry<T> });
        this.last = entry.id;
      }
      // Caught up — unless something newer was signalled while the read was on its way.
      if (page.entries.length < this.pageSize && page.seq > this.fresh) this.goLive();
    } finally {
      this.reading = undefined;
    }
  }

  /** Caught up to Redis as of the last read: continue from the reader's ring, then live. */
  private goLive(): void {
    const latest = this.reader.latest;
    if (latest && latest.epoch !== this.epoch) {
      // The reader's entries are of another life of the topic: older (stale) or newer (it was
      // recreated since our read). Go live, and let one tail read tell which (newer: catch up).
      this.mode = 'live';
      this.fresh = this.source.readSeq();
      this.source.readTail(this.fresh).then(
        (t) => this.onTail(t.epoch, t.lastId, t.seq),
        () => this.onResync(),
      );
      return;
    }
    if (latest && compareIds(latest.id, this.last) > 0) {
      const ring = this.reader.ring;
      const from = ring.findIndex((e) => e.prev === this.last);
      if (from < 0) return this.toCatchup(); // the ring does not reach back to us: read again
      for (let i = from; i < ring.length; i++) {
        const e = ring[i]!;
        this.push({ type: 'entry', entry: e.entry as StreamEntry<T> });
        this.last = e.id;
      }
    }
    this.mode = 'live';
  }

  private toCatchup(): void {
    this.fresh = this.source.readSeq();
    this.mode = 'catchup';
    this.wake();
  }

  private fail(err: unknown): void {
    if (this.mode === 'closed') return;
    this.failure = err instanceof ClosedError ? undefined : err;
    this.close();
  }

  private push(event: Event<T>): void {
    this.queue.push(event);
    if (this.queue.length > this.counters.maxBuffered)
      this.counters.maxBuffered = this.queue.length;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
