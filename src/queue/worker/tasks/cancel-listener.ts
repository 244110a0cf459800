/**
 * Cancel listener: one Pub/Sub subscription per worker to its queue's cancel channel, on a
 * connection of its own. `queue.cancel(id)` of an active job publishes the id there (cancel.lua),
 * so whichever worker holds the job aborts it at once, with no per-job polling. A message missed
 * while the connection was down is caught by the heartbeat (extend.lua reports cancel marks).
 */
import { subscribeWhenReady, type RedisClient } from '../../../redis/connection.js';

export class CancelListener {
  private stopped = false;

  constructor(
    private readonly client: RedisClient,
    private readonly channel: string,
    private readonly onCancel: (id: string) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Subscribes (ioredis re-subscribes by itself after a reconnect). */
  start(): void {
    this.client.on('message', (channel: string, id: string) => {
      if (channel === this.channel && !this.stopped) this.onCancel(id);
    });
    subscribeWhenReady(this.client, this.channel).catch((err: unknown) => {
      if (!this.stopped) this.onError(err);
    });
  }

  /** Ends the subscription by closing its connection. */
  stop(): void {
    this.stopped = true;
    this.client.disconnect();
  }
}
