/**
 * The shared live reader of one topic in one process: one Pub/Sub subscription, however many
 * local subscribers. It remembers the newest entry it was told of (`latest`) and keeps a short
 * ring of the latest entries in an unbroken chain (each entry's `prev` is the id before it), so
 * a subscriber that just caught up from Redis can join the live flow without a gap and without
 * another read — or knows it must read again. It forwards each batch to every subscriber; each
 * checks the chain against its own last position and falls back to reading Redis when it does
 * not connect. The reader itself reads only the tail, for the periodic check.
 */
import type { ChannelHandler, LiveRouter } from './live-router.js';
import { decodeNotification, type LiveBatch, type LiveEntry } from './notification.js';
import type { PageSource } from './subscription.js';

/** What a reader calls on each of its subscribers. */
export interface LiveSink {
  onLive(batch: LiveBatch): void;
  /** Entries may have been missed (connection drop): check Redis. */
  onResync(): void;
  /** The topic's tail as read by read number `seq` (the periodic safety net). */
  onTail(epoch: string | null, lastId: string, seq: number): void;
}

/** Entries the ring keeps at least (it is cut back to this when it reaches twice as many). */
export const RING_SIZE = 256;

/**
 * The shared reader of one topic's live channel (see the file notes).
 *
 * @example
 * ```ts
 * const reader = hub.reader(keys.live, source);
 * await reader.ready;
 * reader.sinks.add(subscription);
 * ```
 */
export class TopicReader implements ChannelHandler {
  readonly sinks = new Set<LiveSink>();
  /** Latest entries in one unbroken chain, oldest first, all with data, of `latest.epoch`. */
  ring: LiveEntry[] = [];
  /** The newest entry notified (epoch and id); null before any, and after a reconnect. */
  latest: { epoch: string; id: string } | null = null;
  /** Resolves once the channel subscription is active. */
  readonly ready: Promise<void>;

  constructor(
    private readonly router: LiveRouter,
    readonly channel: string,
    /** How the topic is read (shared by its subscribers). */
    readonly source: PageSource,
  ) {
    this.ready = router.join(channel, this);
    this.ready.catch(() => {}); // awaited (and reported) by each subscription
  }

  /** A notification arrived: remember it, and hand it to every subscriber. */
  onMessage(message: string): void {
    const batch = decodeNotification(message);
    if (!batch) {
      this.onResync();
      return;
    }
    this.remember(batch);
    for (const sink of this.sinks) sink.onLive(batch);
  }

  /** Notifications may have been lost: forget what is remembered, tell every subscriber. */
  onResync(): void {
    this.ring = [];
    this.latest = null;
    for (const sink of this.sinks) sink.onResync();
  }

  /** Reads the topic's tail and hands it to every subscriber (they resync if behind). */
  async checkTail(): Promise<void> {
    if (this.sinks.size === 0) return;
    const tail = await this.source.readTail(-1);
    for (const sink of this.sinks) sink.onTail(tail.epoch, tail.lastId, tail.seq);
  }

  /** Leaves the channel. */
  close(): void {
    this.router.leave(this.channel, this);
  }

  private remember(batch: LiveBatch): void {
    const first = batch.entries[0]!;
    const tail = this.ring[this.ring.length - 1];
    if (batch.epoch !== this.latest?.epoch || (tail && tail.id !== first.prev)) this.ring = [];
    this.latest = { epoch: batch.epoch, id: batch.entries[batch.entries.length - 1]!.id };
    if (batch.entries[0]!.entry === undefined) {
      // (a batch carries its data inline for all its entries or for none)
      this.ring = []; // data too large to travel inline: subscribers read it from Redis
      return;
    }
    for (const e of batch.entries) this.ring.push(e);
    // Cut back in one go now and then, not by one entry per message (a splice moves them all).
    if (this.ring.length >= 2 * RING_SIZE) this.ring.splice(0, this.ring.length - RING_SIZE);
  }
}
