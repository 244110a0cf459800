/**
 * Feed: a fan-in feed split into partitions. A topic created with `{ feed }` lives in the hash
 * slot of its partition (chosen by a hash of the topic name), and each publish to it appends,
 * in the same atomic step, one pointer entry `{ topic, position }` to that partition — so the
 * step stays atomic on Redis Cluster and the feed scales out by partitions. A consumer group on
 * the feed works through every partition. Get one from {@link Streams.feed}. The partition
 * count is part of the key layout: changing it moves topics to other keys.
 *
 * @example
 * ```ts
 * const feed = streams.feed('chat', { partitions: 8, maxLen: 100_000 });
 * const conv = streams.topic('conv:7', { maxLen: 1000, feed });
 * await conv.publish({ from: 'ada', text: 'hi' });
 * feed.group('notify').process(async ({ data }) => notify(data.topic, data.position));
 * ```
 */
import { ValidationError } from '../errors.js';
import { feedPartitionKeys, fnv1a } from '../redis/keys.js';
import { ConsumerGroup, type GroupOptions } from './group.js';
import type { Hub } from './hub.js';
import { INLINE_MAX_BYTES, type Retention } from './options.js';
import type { Position } from './position.js';
import { Topic } from './topic.js';

export { fnv1a };

/** A feed entry: which topic got an entry, and where. */
export interface FeedPointer {
  /** The topic's name. */
  topic: string;
  /** The new entry's position in that topic. */
  position: Position;
}

/**
 * A fan-in feed split into partitions (see the file notes). Get one from `streams.feed()`.
 *
 * @example
 * ```ts
 * const feed = streams.feed('chat', { partitions: 8 });
 * const conv = streams.topic<Message>('conv:7', { feed });
 * feed.group('notify').process(async ({ data }) => notify(await conv.get(data.position)));
 * ```
 */
export class Feed {
  private readonly parts: Topic<FeedPointer>[];

  /** @internal use `streams.feed()` */
  constructor(
    private readonly hub: Hub,
    readonly name: string,
    readonly partitions: number,
    /** @internal */
    readonly retention: Retention,
    maxPayloadBytes: number,
  ) {
    this.parts = Array.from({ length: partitions }, (_, i) => {
      const keys = feedPartitionKeys(hub.prefix, name, i);
      return new Topic<FeedPointer>(
        hub,
        `${name}#${i}`,
        keys,
        {
          topicName: `${name}#${i}`,
          retention,
          idempotencyWindowMs: 0,
          inlineMaxBytes: INLINE_MAX_BYTES,
        },
        maxPayloadBytes,
      );
    });
  }

  /** @internal the hub this feed belongs to */
  get owner(): Hub {
    return this.hub;
  }

  /** The partition a topic maps to: `fnv1a(topic) mod partitions`. */
  partitionOf(topic: string): number {
    return fnv1a(topic) % this.partitions;
  }

  /** Partition `i` as a topic of pointers (to read, subscribe, or inspect). */
  partition(i: number): Topic<FeedPointer> {
    const t = this.parts[i];
    if (!t)
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `partition must be an integer 0–${this.partitions - 1} (feed ${this.name}), got ${String(i)}`,
      ]);
    return t;
  }

  /** A consumer group over every partition of the feed. */
  group(name: string, opts: GroupOptions = {}): ConsumerGroup<FeedPointer> {
    this.hub.assertOpen();
    return new ConsumerGroup<FeedPointer>(this.hub, name, this.parts, opts);
  }
}
