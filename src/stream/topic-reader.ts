/**
 * The shared live reader of one topic in one process: one Pub/Sub subscription, however many
 * local subscribers. It keeps a short ring of the latest entries, in an unbroken chain (each
 * entry's `prev` is the id before it), so a subscriber that just caught up from Redis can join
 * the live flow without a gap and without another read. It forwards each batch to every
 * subscriber; each checks the chain against its own last position and falls back to reading
 * Redis when it does not connect. The reader itself never reads entries.
 */
import type { TopicCommands } from './commands.js';
import type { ChannelHandler, LiveRouter } from './live-router.js';
import { decodeNotification, type LiveBatch, type LiveEntry } from './notification.js';

/** What a reader calls on each of its subscribers. */
export interface LiveSink {
  onLive(batch: LiveBatch): void;
  /** Entries may have been missed (connection drop): check Redis. */
  onResync(): void;
  /** The topic's current tail, read periodically as a safety net. */
  onTail(epoch: string | null, lastId: string): void;
}

const RING_SIZE = 256;

export class TopicReader implements ChannelHandler {
  readonly sinks = new Set<LiveSink>();
  /** Latest entries in one unbroken chain, oldest first, all with data. */
  ring: LiveEntry[] = [];
  ringEpoch: string | null = null;
  /** Resolves once the channel subscription is active. */
  readonly ready: Promise<void>;

  constructor(
    private readonly router: LiveRouter,
    readonly channel: string,
    readonly commands: TopicCommands,
  ) {
    this.ready = router.join(channel, this);
    this.ready.catch(() => {}); // awaited (and reported) by each subscription
  }

  onMessage(message: string): void {
    const batch = decodeNotification(message);
    if (!batch) {
      this.onResync();
      return;
    }
    this.remember(batch);
    for (const sink of this.sinks) sink.onLive(batch);
  }

  onResync(): void {
    this.ring = [];
    for (const sink of this.sinks) sink.onResync();
  }

  /** Reads the topic's tail and hands it to every subscriber (they resync if behind). */
  async checkTail(): Promise<void> {
    if (this.sinks.size === 0) return;
    const tail = await this.commands.range('tail', '0-0', '', 0);
    for (const sink of this.sinks) sink.onTail(tail.epoch, tail.lastId);
  }

  close(): void {
    this.router.leave(this.channel);
  }

  private remember(batch: LiveBatch): void {
    const first = batch.entries[0]!;
    const tail = this.ring[this.ring.length - 1];
    if (batch.epoch !== this.ringEpoch || (tail && tail.id !== first.prev)) {
      this.ring = [];
      this.ringEpoch = batch.epoch;
    }
    if (batch.entries.some((e) => e.entry === undefined)) {
      this.ring = []; // data too large to travel inline: subscribers read it from Redis
      return;
    }
    this.ring.push(...batch.entries);
    if (this.ring.length > RING_SIZE) this.ring.splice(0, this.ring.length - RING_SIZE);
  }
}
