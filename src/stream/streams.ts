/**
 * Streams: the entry point to durable event streams. One per process is the intent: it owns
 * the Redis connections (one for commands, one for Pub/Sub, plus one blocking connection per
 * consumer fetch loop) and shares one live reader per subscribed topic among all subscribers.
 *
 * @example
 * ```ts
 * const streams = new Streams({ connection: 'redis://127.0.0.1:6379' });
 * const orders = streams.topic<Order>('orders', { maxLen: 100_000, maxAgeMs: 7 * 86_400_000 });
 * await orders.publish(order, { idempotencyKey: order.id });
 * console.log(await streams.ping()); // round trip in ms
 * await streams.close();
 * ```
 */
import { connectionProblem, prefixProblem, validateName } from '../validate.js';
import type { ConnectionOptions } from '../redis/connection.js';
import {
  DEFAULT_PREFIX,
  ephemeralChannel,
  feedPartitionKeys,
  feedTopicKeys,
  topicKeys,
} from '../redis/keys.js';
import { CommandConnection } from '../redis/command-connection.js';
import { Cursors, type CursorOptions } from './cursors.js';
import { EphemeralTopic } from './ephemeral.js';
import { Feed } from './feed.js';
import { Hub } from './hub.js';
import { LiveRouter } from './live-router.js';
import {
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  INLINE_MAX_BYTES,
  KEYS,
  assertNoProblems,
  optionProblems,
  optionsOf,
  retentionChecks,
  toConnectionRetry,
  toRetention,
  type ConnectionRetry,
  type RetentionOptions,
} from './options.js';
import { PeriodicTask } from '../periodic.js';
import { Topic } from './topic.js';

/** Options of {@link Streams}. */
export interface StreamsOptions {
  /** How to reach Redis; default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  connection?: ConnectionOptions;
  /** Key prefix; default `sluice`. */
  prefix?: string;
  /** How commands (publish included) ride out a short loss of Redis. */
  retry?: ConnectionRetry;
  /**
   * How often (ms) each subscribed topic's tail is compared with what its subscribers have, a
   * safety net for Pub/Sub messages lost without a visible disconnect. Default 5,000.
   */
  tailCheckMs?: number;
  /** Name of Sluice's connections in CLIENT LIST (suffixed `:cmd`, `:live`, …); default `sluice`. */
  connectionName?: string;
}

/** Options of a durable topic (`streams.topic()`): retention, idempotency, size, feed. */
export interface TopicOptions extends RetentionOptions {
  /** How long an idempotency key is remembered (ms); default 5 minutes. */
  idempotencyWindowMs?: number;
  /** Largest entry, in bytes of JSON; default 64 KiB. */
  maxPayloadBytes?: number;
  /** Also append a pointer to this fan-in feed on every publish (see {@link Feed}). */
  feed?: Feed;
}

/** Options of a fan-in feed (`streams.feed()`): its partitions, and their retention. */
export interface FeedOptions extends RetentionOptions {
  /** Number of partitions (fixed for the feed's life); required. */
  partitions: number;
}

/**
 * The entry point to durable event streams (see the file notes). One per process is the intent.
 *
 * @example
 * ```ts
 * const streams = new Streams({ connection: process.env.REDIS_URL, prefix: 'app' });
 * const run = streams.topic<{ node: string }>('run:42', { ttlMs: 3_600_000 });
 * await run.publish({ node: 'fetch' });
 * await streams.close();
 * ```
 */
export class Streams {
  /** The key prefix of every key this instance uses. */
  readonly prefix: string;
  private readonly hub: Hub;
  private readonly tailCheck: PeriodicTask;
  private closing: Promise<void> | undefined;

  /** `options` may be just a connection URL. */
  constructor(streamsOptions: StreamsOptions | string = {}) {
    const { o: options, problems } = optionsOf(
      typeof streamsOptions === 'string' ? { connection: streamsOptions } : streamsOptions,
      'Streams options',
      KEYS.streams,
    );
    problems.push(...optionProblems([['tailCheckMs', options.tailCheckMs, 'interval>0']]));
    for (const p of [connectionProblem(options.connection), prefixProblem(options.prefix)])
      if (p) problems.push(p);
    if (
      options.connectionName !== undefined &&
      (typeof options.connectionName !== 'string' ||
        !/^[\x21-\x7e]{1,64}$/.test(options.connectionName))
    )
      problems.push('connectionName must be 1–64 printable characters without spaces');
    const retry = toConnectionRetry(options.retry, 'retry', problems);
    assertNoProblems(problems);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const name = options.connectionName ?? 'sluice';
    const conn = new CommandConnection(options.connection, `${name}:cmd`, retry);
    const router = new LiveRouter(options.connection, name);
    this.hub = new Hub(this.prefix, options.connection, name, conn, router);
    this.tailCheck = new PeriodicTask(
      options.tailCheckMs ?? 5000,
      async () => {
        for (const reader of this.hub.activeReaders()) await reader.checkTail().catch(() => {});
      },
      () => {},
    );
    this.tailCheck.start();
  }

  /**
   * A durable topic. Handles are cheap; options are applied by each publish, so every
   * publisher of a topic should pass the same ones.
   * @example
   * ```ts
   * const conv = streams.topic<Message>('conv:7', { maxLen: 1000, feed: chatFeed });
   * ```
   */
  topic<T = unknown>(name: string, topicOptions: TopicOptions = {}): Topic<T> {
    this.hub.assertOpen();
    validateName('topic', name);
    const { o: options, problems } = optionsOf(topicOptions, 'topic options', KEYS.topic);
    problems.push(
      ...optionProblems([
        ...retentionChecks(options),
        ['idempotencyWindowMs', options.idempotencyWindowMs, 'age>=0'],
        ['maxPayloadBytes', options.maxPayloadBytes, 'bytes'],
      ]),
    );
    const feed = options.feed;
    if (feed !== undefined && (!(feed instanceof Feed) || feed.owner !== this.hub))
      problems.push('feed must be a Feed made by this Streams instance');
    assertNoProblems(problems);
    const retention = toRetention(options);
    const spec = {
      topicName: name,
      retention,
      idempotencyWindowMs: options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS,
      inlineMaxBytes: INLINE_MAX_BYTES,
    };
    const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (!feed) return new Topic<T>(this.hub, name, topicKeys(this.prefix, name), spec, maxPayload);
    const p = feed.partitionOf(name);
    return new Topic<T>(
      this.hub,
      name,
      feedTopicKeys(this.prefix, feed.name, p, name),
      {
        ...spec,
        feed: { keys: feedPartitionKeys(this.prefix, feed.name, p), retention: feed.retention },
      },
      maxPayload,
    );
  }

  /** A non-durable topic over Pub/Sub: no history, no resume (see {@link EphemeralTopic}). */
  ephemeral<T = unknown>(
    name: string,
    options: { maxPayloadBytes?: number } = {},
  ): EphemeralTopic<T> {
    this.hub.assertOpen();
    validateName('topic', name);
    const { o, problems } = optionsOf(options, 'ephemeral options', KEYS.ephemeral);
    problems.push(...optionProblems([['maxPayloadBytes', o.maxPayloadBytes, 'bytes']]));
    assertNoProblems(problems);
    return new EphemeralTopic<T>(
      this.hub,
      name,
      ephemeralChannel(this.prefix, name),
      o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    );
  }

  /**
   * A fan-in feed with `partitions` partitions (see {@link Feed}).
   * @example
   * ```ts
   * const feed = streams.feed('chat', { partitions: 8, maxLen: 100_000 });
   * ```
   */
  feed(name: string, feedOptions: FeedOptions): Feed {
    this.hub.assertOpen();
    validateName('topic', name);
    const { o: options, problems } = optionsOf(feedOptions, 'feed options', KEYS.feed);
    problems.push(
      ...optionProblems([
        ['partitions', options.partitions, 'int>0', true],
        ...retentionChecks(options),
      ]),
    );
    if (options.partitions > 1024) problems.push('partitions must be at most 1024');
    assertNoProblems(problems);
    return new Feed(
      this.hub,
      name,
      options.partitions,
      toRetention(options),
      DEFAULT_MAX_PAYLOAD_BYTES,
    );
  }

  /** Client cursors and unread counts (see {@link Cursors}). */
  cursors(options: CursorOptions = {}): Cursors {
    this.hub.assertOpen();
    return new Cursors(this.hub, options);
  }

  /**
   * Health check: one PING without retries (the first call also checks that every Lua script
   * can be read and that Redis is new enough). Resolves with the round trip in ms; throws
   * `SLC_ERR_CONNECTION` when Redis is unreachable, `SLC_ERR_TIMEOUT` after `timeoutMs`,
   * `SLC_ERR_REDIS_VERSION` when Redis is older than 6.2.
   */
  async ping(options: { timeoutMs?: number } = {}): Promise<number> {
    const { o, problems } = optionsOf(options, 'ping options', KEYS.ping);
    problems.push(...optionProblems([['timeoutMs', o.timeoutMs, 'interval>0']]));
    assertNoProblems(problems);
    return this.hub.conn.ping(o.timeoutMs);
  }

  /** Reads sent to Redis and reads served by joining an identical one in flight. */
  get stats(): { reads: number; sharedReads: number; liveTopics: number } {
    return { ...this.hub.counters, liveTopics: this.hub.activeReaders().length };
  }

  /**
   * Ends every subscription, shuts down every group consumer (gracefully, see
   * `GroupProcessor.close`), and closes the connections. From its start, new topics,
   * subscriptions and calls fail with `SLC_ERR_CLOSED`. Calling it again joins the first call.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.hub.closed = true;
    const ticking = this.tailCheck.stop(); // a tick in progress ends when the connection closes
    await Promise.all(this.hub.tracked().map((c) => c.close()));
    await this.hub.router.close();
    await this.hub.conn.close();
    await ticking;
  }
}
