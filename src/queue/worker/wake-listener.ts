/**
 * Wake listener: blocks on the queue's `marker` list on a connection of its own, so an idle worker
 * wakes the moment a job is added, promoted, retried or the queue resumes — no polling. The
 * timeout is only a safety net. A wake-up the worker cannot use (it filled up meanwhile) is put
 * back for another worker.
 */
import type { RedisClient } from '../../redis/connection.js';

export class WakeListener {
  private waiting = false;
  private stopped = false;

  constructor(
    private readonly client: RedisClient,
    private readonly markerKey: string,
    private readonly timeoutMs: number,
    private readonly hasCapacity: () => boolean,
    private readonly onWake: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts one blocking wait unless one is already under way. */
  listen(): void {
    if (this.waiting || this.stopped) return;
    this.waiting = true;
    this.client.blpop(this.markerKey, this.timeoutMs / 1000).then(
      async (reply) => {
        this.waiting = false;
        if (this.stopped) return;
        if (reply && !this.hasCapacity()) {
          await this.client.lpush(this.markerKey, '1').catch(this.onError);
        }
        this.onWake();
      },
      async (err: unknown) => {
        this.waiting = false;
        if (this.stopped) return;
        this.onError(err);
        await new Promise((r) => setTimeout(r, 250));
        this.onWake();
      },
    );
  }

  /** Ends any wait by closing the connection. */
  stop(): void {
    this.stopped = true;
    this.client.disconnect();
  }
}
