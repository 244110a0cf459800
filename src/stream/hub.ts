/**
 * What every topic, group and cursor store of one {@link Streams} hub shares: the command
 * connection, the Pub/Sub router, one reader per subscribed topic, the coalescing of identical
 * in-flight reads, and the list of things to close.
 */
import type { ConnectionOptions } from '../redis/connection.js';
import type { TopicCommands } from './commands.js';
import type { CommandConnection } from './command-connection.js';
import type { LiveRouter } from './live-router.js';
import { TopicReader } from './topic-reader.js';
import { ClosedError } from '../errors.js';

export interface Closable {
  close(): unknown;
}

export class Hub {
  private readonly readers = new Map<string, TopicReader>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly open = new Set<Closable>();
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

  assertOpen(): void {
    if (this.closed) throw new ClosedError('streams');
  }

  /** The shared reader of a topic's live channel, created on first use. */
  reader(channel: string, commands: TopicCommands): TopicReader {
    let reader = this.readers.get(channel);
    if (!reader) {
      const created = new TopicReader(this.router, channel, commands);
      this.readers.set(channel, created);
      // A reader that could not subscribe is not kept: the next subscription tries afresh.
      created.ready.catch(() => {
        if (this.readers.get(channel) === created) this.readers.delete(channel);
      });
      reader = created;
    }
    return reader;
  }

  /** Drops a reader that has no subscribers left. */
  releaseReader(reader: TopicReader): void {
    if (reader.sinks.size > 0 || this.readers.get(reader.channel) !== reader) return;
    this.readers.delete(reader.channel);
    reader.close();
  }

  /** Readers with subscribers (for the tail check). */
  activeReaders(): TopicReader[] {
    return [...this.readers.values()].filter((r) => r.sinks.size > 0);
  }

  /** Runs `fn` once for all identical calls (same `key`) in flight at the same time. */
  coalesce<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) {
      this.counters.sharedReads++;
      return running as Promise<T>;
    }
    this.counters.reads++;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  track(c: Closable): void {
    this.open.add(c);
  }

  untrack(c: Closable): void {
    this.open.delete(c);
  }

  /** Everything still open (subscriptions, processors), for `Streams.close()`. */
  tracked(): Closable[] {
    return [...this.open];
  }
}
