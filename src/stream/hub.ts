/**
 * What every topic, group and cursor store of one {@link Streams} hub shares: the command
 * connection, the Pub/Sub router, one reader per subscribed topic, the coalescing of identical
 * in-flight reads, and the list of things to close.
 *
 * Reads are numbered in the order they are sent (all go through the one command connection, so
 * Redis runs them in that order too). A caller that has just learned of an entry — from a
 * notification, a tail check, a reconnect — asks only for a read numbered after that moment, so
 * joining a read already in flight never hands it an answer older than what it knows.
 */
import type { ConnectionOptions } from '../redis/connection.js';
import type { CommandConnection } from '../redis/command-connection.js';
import type { LiveRouter } from './live-router.js';
import type { PageSource } from './subscription.js';
import { TopicReader } from './topic-reader.js';
import { ClosedError } from '../errors.js';

/** Something `Streams.close()` closes: a subscription or a group consumer. */
export interface Closable {
  close(): unknown;
}

/** A read's result with its number (see the file notes). */
export interface Numbered<T> {
  seq: number;
  value: T;
}

/**
 * The shared state of one {@link Streams} hub (internal).
 *
 * @example
 * ```ts
 * const page = await hub.coalesce(`after\n${key}\n${id}`, hub.readSeq, () => commands.range('after', id, '', 100));
 * ```
 */
export class Hub {
  private readonly readers = new Map<string, TopicReader>();
  private readonly inflight = new Map<string, Numbered<Promise<unknown>>>();
  private readonly open = new Set<Closable>();
  private seq = 0;
  /** Set when `Streams.close()` begins: nothing new may start. */
  closed = false;
  /** Reads sent to Redis, and reads answered by sharing one already in flight. */
  readonly counters = { reads: 0, sharedReads: 0 };

  constructor(
    readonly prefix: string,
    readonly connection: ConnectionOptions | undefined,
    readonly name: string,
    readonly conn: CommandConnection,
    readonly router: LiveRouter,
  ) {}

  /** Throws `SLC_ERR_CLOSED` once the hub is closing. */
  assertOpen(): void {
    if (this.closed) throw new ClosedError('streams');
  }

  /** The number of the latest read sent; a read sent later has a greater one. */
  get readSeq(): number {
    return this.seq;
  }

  /** The shared reader of a topic's live channel, created on first use. */
  reader(channel: string, source: PageSource): TopicReader {
    let reader = this.readers.get(channel);
    if (!reader) {
      const created = new TopicReader(this.router, channel, source);
      this.readers.set(channel, created);
      // A reader that could not subscribe is not kept: the next subscription tries afresh.
      created.ready.catch(() => {
        if (this.readers.get(channel) === created) this.readers.delete(channel);
        created.close();
      });
      reader = created;
    }
    return reader;
  }

  /** Drops a reader that has no subscribers left. */
  releaseReader(reader: TopicReader): void {
    if (reader.sinks.size > 0) return;
    if (this.readers.get(reader.channel) === reader) this.readers.delete(reader.channel);
    reader.close();
  }

  /** Readers with subscribers (for the tail check). */
  activeReaders(): TopicReader[] {
    return [...this.readers.values()].filter((r) => r.sinks.size > 0);
  }

  /**
   * Runs `read` once for identical calls (same `key`) in flight at the same time — joining a
   * running one only if it was sent after read number `since` — and resolves with its number.
   */
  coalesce<T>(key: string, since: number, read: () => Promise<T>): Promise<Numbered<T>> {
    const running = this.inflight.get(key);
    if (running && running.seq > since) {
      this.counters.sharedReads++;
      return running.value.then((value) => ({ seq: running.seq, value: value as T }));
    }
    this.counters.reads++;
    const flight = { seq: ++this.seq, value: read() as Promise<unknown> };
    this.inflight.set(key, flight);
    const done = () => {
      if (this.inflight.get(key) === flight) this.inflight.delete(key);
    };
    flight.value.then(done, done);
    return flight.value.then((value) => ({ seq: flight.seq, value: value as T }));
  }

  /** Registers something `Streams.close()` must close. */
  track(c: Closable): void {
    this.open.add(c);
  }

  /** Forgets something that closed by itself. */
  untrack(c: Closable): void {
    this.open.delete(c);
  }

  /** Everything still open (subscriptions, processors), for `Streams.close()`. */
  tracked(): Closable[] {
    return [...this.open];
  }
}
