/**
 * A live subscription to a durable topic: an async iterator that yields the backlog after a
 * position, page by page, then live entries — with no gap and no duplicate, also across a drop
 * of the Redis connection.
 *
 * It is in one of three modes. `catchup`: it reads a page after its last position from Redis
 * (reads identical to another subscriber's at the same moment are shared), but only when the
 * consumer has taken the previous page, so memory stays bounded however far behind it is.
 * When a page comes back short it has caught up and switches to `live`, picking up from the
 * shared reader's ring of recent entries. `live`: it takes each batch the reader forwards if
 * the batch's chain starts exactly at its last position; anything else (a gap, a new epoch, a
 * resync after a reconnect, data too large to travel inline, or its buffer overflowing because
 * the consumer is slow) sends it back to `catchup`. Ids at or before its last position are
 * skipped, so nothing is yielded twice.
 */
import { ClosedError } from '../errors.js';
import type { LiveBatch } from './notification.js';
import { compareIds, formatPosition, type Position } from './position.js';
import type { LiveSink, TopicReader } from './topic-reader.js';
import type { StreamEntry, SubscriptionEvent, Truncation } from './types.js';
import type { RawTruncation } from './commands.js';

/** A page as a subscription needs it (parsed, shared between identical reads). */
export interface ParsedPage {
  epoch: string | null;
  truncated: RawTruncation;
  firstId: string | null;
  lastId: string;
  entries: StreamEntry[];
}

/** How a subscription reads Redis (provided by its topic). */
export interface PageSource {
  readAfter(afterId: string, epoch: string, limit: number): Promise<ParsedPage>;
  readTail(): Promise<ParsedPage>;
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
  mode: 'init' | 'catchup' | 'live' | 'closed';
}

export class Subscription<T = unknown>
  implements AsyncIterableIterator<SubscriptionEvent<StreamEntry<T>>>, LiveSink
{
  private queue: SubscriptionEvent<StreamEntry<T>>[] = [];
  private mode: SubscriptionStats['mode'];
  /** Epoch and id of the last entry queued (or the starting point). */
  private epoch: string | null;
  private last: string;
  /** Epoch and id of the last entry yielded to the consumer. */
  private yielded: { epoch: string | null; id: string };
  private waiters: (() => void)[] = [];
  /** The live-only start (reading the tail), begun at construction. */
  private starting: Promise<void> | undefined;
  private failure: unknown;
  private readonly counters = { maxBuffered: 0, pagesRead: 0, delivered: 0 };

  /** @internal use `topic.subscribe()` */
  constructor(
    private readonly reader: TopicReader,
    private readonly source: PageSource,
    start: { epoch: string | null; id: string } | undefined,
    private readonly pageSize: number,
    private readonly maxBuffered: number,
    private readonly onClose: (s: Subscription<T>) => void,
    signal: AbortSignal | undefined,
  ) {
    this.mode = start ? 'catchup' : 'init';
    this.epoch = start?.epoch ?? null;
    this.last = start?.id ?? '0-0';
    this.yielded = { epoch: this.epoch, id: this.last };
    reader.sinks.add(this);
    if (!start)
      this.starting = this.start().catch((err: unknown) => {
        if (!this.isClosed()) {
          this.failure = err instanceof ClosedError ? undefined : err;
          this.close();
        }
      });
    if (signal) {
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', () => this.close(), { once: true });
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

  get stats(): SubscriptionStats {
    return { buffered: this.queue.length, mode: this.mode, ...this.counters };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<SubscriptionEvent<StreamEntry<T>>>> {
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
        else if (this.mode === 'catchup') await this.readPage();
        else await new Promise<void>((resolve) => this.waiters.push(resolve));
      } catch (err) {
        if (!this.isClosed()) {
          this.failure = err instanceof ClosedError ? undefined : err;
          this.close();
        }
      }
    }
  }

  async return(): Promise<IteratorResult<SubscriptionEvent<StreamEntry<T>>>> {
    this.close();
    return { value: undefined, done: true };
  }

  /** Ends the subscription; a pending `next()` resolves as done. */
  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.queue = [];
    this.reader.sinks.delete(this);
    this.wake();
    this.onClose(this);
  }

  private isClosed(): boolean {
    return this.mode === 'closed';
  }

  onLive(batch: LiveBatch): void {
    if (this.mode !== 'live') return;
    if (this.epoch !== null && batch.epoch !== this.epoch) return this.toCatchup();
    for (const e of batch.entries) {
      if (compareIds(e.id, this.last) <= 0) continue;
      if (e.prev !== this.last || !e.entry) return this.toCatchup();
      this.epoch = batch.epoch;
      this.enqueue(e.entry);
      if (this.mode !== 'live') return; // overflowed
    }
  }

  onResync(): void {
    if (this.mode === 'live') this.toCatchup();
  }

  onTail(epoch: string | null, lastId: string): void {
    if (this.mode !== 'live') return;
    if (epoch !== this.epoch || compareIds(lastId, this.last) > 0) this.toCatchup();
  }

  /** Live-only start: begin after the topic's current tail. */
  private async start(): Promise<void> {
    await this.reader.ready;
    const tail = await this.source.readTail();
    if (this.mode !== 'init') return;
    this.epoch = tail.epoch;
    this.last = tail.lastId;
    this.yielded = { epoch: this.epoch, id: this.last };
    this.goLive();
  }

  private async readPage(): Promise<void> {
    await this.reader.ready;
    const page = await this.source.readAfter(this.last, this.epoch ?? '', this.pageSize);
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
    if (page.entries.length < this.pageSize) this.goLive();
  }

  /** Caught up to Redis as of the last read: continue from the reader's ring, then live. */
  private goLive(): void {
    const ring = this.reader.ring;
    const tail = ring[ring.length - 1];
    if (tail && this.epoch !== null && this.reader.ringEpoch !== this.epoch) {
      // The ring is of another life of the topic: older (stale) or newer (it was recreated since
      // our read). Go live, and let one tail read tell which (a newer epoch sends us back).
      this.mode = 'live';
      this.source.readTail().then(
        (t) => this.onTail(t.epoch, t.lastId),
        () => this.onResync(),
      );
      return;
    }
    if (tail && compareIds(tail.id, this.last) > 0) {
      const from = ring.findIndex((e) => e.prev === this.last);
      if (from < 0) return; // a gap between our last read and the ring: read again
      this.epoch = this.reader.ringEpoch;
      for (const e of ring.slice(from)) {
        this.push({ type: 'entry', entry: e.entry as StreamEntry<T> });
        this.last = e.id;
      }
    }
    this.mode = 'live';
  }

  private toCatchup(): void {
    this.mode = 'catchup';
    this.wake();
  }

  private enqueue(entry: StreamEntry): void {
    if (this.queue.length >= this.maxBuffered) {
      // The consumer is slow: drop what it has not taken and re-read it from Redis later.
      this.queue = [];
      this.epoch = this.yielded.epoch;
      this.last = this.yielded.id;
      this.toCatchup();
      return;
    }
    this.push({ type: 'entry', entry: entry as StreamEntry<T> });
    this.last = entry.id;
  }

  private push(event: SubscriptionEvent<StreamEntry<T>>): void {
    this.queue.push(event);
    if (this.queue.length > this.counters.maxBuffered)
      this.counters.maxBuffered = this.queue.length;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
