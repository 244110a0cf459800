/**
 * Shared helpers of the stream suites: a per-test harness that opens `Streams` hubs and a plain
 * ioredis client under one unique prefix (on the shared server, on a server of the test's own,
 * or on a Cluster) and closes them all after the test; and small readers of subscriptions.
 */
import { afterEach } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import {
  Streams,
  type StreamEntry,
  type StreamsOptions,
  type Subscription,
  type SubscriptionEvent,
} from '../../src/index.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { uniquePrefix, waitFor } from '../harness/context.js';

export type Raw = Redis | Cluster;

const open: StreamHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0).reverse()) await h.close();
});

/** Everything one test opened, closed after it. */
export class StreamHarness {
  readonly prefix = uniquePrefix();
  private readonly hubs: Streams[] = [];
  private rawClient: Raw | undefined;

  constructor(readonly connection: ConnectionOptions) {
    open.push(this);
  }

  /** A new hub (each has its own connections, like a separate process would). */
  streams(opts: Omit<StreamsOptions, 'connection' | 'prefix'> = {}): Streams {
    const s = new Streams({ connection: this.connection, prefix: this.prefix, ...opts });
    this.hubs.push(s);
    return s;
  }

  /** A plain client, for looking at keys directly. */
  get redis(): Raw {
    if (!this.rawClient) {
      const c = this.connection;
      this.rawClient =
        typeof c === 'object' && 'cluster' in c && Array.isArray(c.cluster)
          ? new Cluster(c.cluster)
          : new Redis(c as string);
      this.rawClient.on('error', () => {});
    }
    return this.rawClient;
  }

  async close(): Promise<void> {
    for (const s of this.hubs.splice(0).reverse()) await s.close();
    this.rawClient?.disconnect();
  }
}

/** Collects what a subscription yields in the background. */
export class Collector<T> {
  readonly events: SubscriptionEvent<StreamEntry<T>>[] = [];
  readonly done: Promise<void>;
  /** What the subscription threw, if it failed. */
  error: unknown;

  constructor(readonly sub: Subscription<T>) {
    this.done = (async () => {
      for await (const ev of sub) this.events.push(ev);
    })().catch((err: unknown) => {
      this.error = err;
    });
  }

  get entries(): StreamEntry<T>[] {
    return this.events.flatMap((e) => (e.type === 'entry' ? [e.entry] : []));
  }

  get data(): T[] {
    return this.entries.map((e) => e.data);
  }

  async waitForCount(n: number, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      () => this.entries.length >= n,
      `${n} entries (have ${this.entries.length}${this.error ? `; failed: ${String(this.error)}` : ''})`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    this.sub.close();
    await this.done;
  }
}

/** Asserts positions are strictly increasing and returns the numbers carried, in order. */
export function assertNoGapNoDup(values: number[], from: number, to: number): void {
  const expected = Array.from({ length: to - from }, (_, i) => from + i);
  if (values.length !== expected.length || values.some((v, i) => v !== expected[i])) {
    const dups = values.filter((v, i) => values.indexOf(v) !== i);
    const missing = expected.filter((v) => !values.includes(v));
    throw new Error(
      `expected ${from}..${to - 1} exactly once in order; got ${values.length} values, ` +
        `duplicates ${JSON.stringify(dups.slice(0, 10))}, missing ${JSON.stringify(missing.slice(0, 10))}`,
    );
  }
}

export { uniquePrefix };
