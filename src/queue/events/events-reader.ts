/**
 * Events reader: makes the queue's scripts write events (by renewing the `evlisten` lease in
 * `meta`, so nothing is written while nobody listens) and reads them from the `events` stream on
 * a connection of its own, handing each to `onEvent`. Events are a live feed for observers: they
 * start when listening starts and are not a delivery guarantee (the stream is capped).
 */
import type { RedisClient } from '../../redis/connection.js';
import type { QueueKeys } from '../../redis/keys.js';

/** One queue event as written by the scripts. */
export interface RawQueueEvent {
  event: string;
  jobId: string;
  /**
   * Error message (failed, retrying), due time (delayed), the JSON value (progress) or the return
   * value (completed, when small).
   */
  extra: string | undefined;
  /** Attempts made so far (failed, retrying). */
  attempts?: string | undefined;
  /** When the job runs again, ms (retrying). */
  due?: string | undefined;
}

const LISTEN_LEASE_MS = 60_000;
const RENEW_MS = 20_000;
const BLOCK_MS = 1_000;

export class EventsReader {
  private stopped = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private lastId = '$';

  constructor(
    private readonly client: RedisClient,
    private readonly keys: QueueKeys,
    private readonly onEvent: (e: RawQueueEvent) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts listening; resolves once the scripts have been told to write events. */
  async start(): Promise<void> {
    await this.renew();
    // Read from the stream's current end: events written from now on.
    const last = (await this.client.xrevrange(this.keys.events, '+', '-', 'COUNT', 1)) as [
      string,
      string[],
    ][];
    this.lastId = last[0]?.[0] ?? '0-0';
    this.renewTimer = setInterval(() => void this.renew().catch(this.onError), RENEW_MS);
    this.renewTimer.unref();
    this.loop = this.read();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    this.client.disconnect();
    await this.loop;
  }

  private async renew(): Promise<void> {
    const [sec, micro] = (await this.client.time()) as [string | number, string | number];
    const until = Number(sec) * 1000 + Math.floor(Number(micro) / 1000) + LISTEN_LEASE_MS;
    await this.client.hset(this.keys.meta, 'evlisten', until);
  }

  private async read(): Promise<void> {
    while (!this.stopped) {
      try {
        const reply = (await this.client.xread(
          'COUNT',
          1000,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.keys.events,
          this.lastId,
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const f = new Map<string, string>();
            for (let i = 0; i < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
            this.onEvent({
              event: f.get('e') ?? '',
              jobId: f.get('id') ?? '',
              extra: f.get('x'),
              attempts: f.get('a'),
              due: f.get('d'),
            });
          }
        }
      } catch (err) {
        if (this.stopped) return;
        this.onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

/** The `failed` / `retrying` details of a raw event (older writers sent none: zeros). */
export function attemptFailure(e: RawQueueEvent): {
  attemptsMade: number;
  willRetry: boolean;
  retryAt?: number;
} {
  const willRetry = e.event === 'retrying';
  const attemptsMade = Number(e.attempts ?? 0);
  return willRetry && e.due !== undefined
    ? { attemptsMade, willRetry, retryAt: Number(e.due) }
    : { attemptsMade, willRetry };
}
