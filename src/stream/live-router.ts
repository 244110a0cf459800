/**
 * The one Pub/Sub connection of a {@link Streams} hub. Each channel has one handler (the shared
 * reader of a topic); the router subscribes a channel when its handler joins — `join` resolves
 * once Redis confirmed the subscription — and unsubscribes when it leaves. When the connection
 * comes back after a drop, every channel is subscribed again and every handler is told to
 * resync (messages sent while it was down are lost to Pub/Sub, never to the stream).
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions, RedisClient } from '../redis/connection.js';
import { closeConnection } from '../redis/connection.js';
import { openNamed } from '../redis/command-connection.js';

/** What the router calls on the handler of a channel. */
export interface ChannelHandler {
  onMessage(message: string): void;
  /** The connection was re-established: messages may have been missed. */
  onResync(): void;
}

/**
 * The hub's Pub/Sub connection (see the file notes).
 *
 * @example
 * ```ts
 * const router = new LiveRouter(url, 'sluice');
 * await router.join('sluice:{s:orders}:live', reader);
 * router.leave('sluice:{s:orders}:live', reader);
 * ```
 */
export class LiveRouter {
  private client: RedisClient | undefined;
  private readonly handlers = new Map<string, ChannelHandler>();
  /** Per channel, the chain of subscribe/unsubscribe calls (kept in order). */
  private readonly ops = new Map<string, Promise<unknown>>();
  private connectedOnce = false;
  private closed = false;

  constructor(
    private readonly options: ConnectionOptions | undefined,
    private readonly name: string,
  ) {}

  /** Registers `handler` for `channel` and resolves once the subscription is active. */
  async join(channel: string, handler: ChannelHandler): Promise<void> {
    const client = this.connection();
    this.handlers.set(channel, handler);
    await this.chain(channel, () => client.subscribe(channel));
  }

  /** Removes `handler` from `channel` (if it is still the channel's) and unsubscribes it. */
  leave(channel: string, handler: ChannelHandler): void {
    if (this.handlers.get(channel) !== handler) return;
    this.handlers.delete(channel);
    const client = this.client;
    if (!client || this.closed) return;
    void this.chain(channel, async () => {
      if (!this.handlers.has(channel)) await client.unsubscribe(channel);
    }).catch(() => {});
  }

  /** Channels with a handler now. */
  get channels(): string[] {
    return [...this.handlers.keys()];
  }

  /** Closes the connection; handlers get nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    if (this.client) await closeConnection(this.client, true);
  }

  private chain(channel: string, op: () => Promise<unknown>): Promise<unknown> {
    const next = (this.ops.get(channel) ?? Promise.resolve()).catch(() => {}).then(op);
    this.ops.set(channel, next);
    void next
      .finally(() => {
        if (this.ops.get(channel) === next) this.ops.delete(channel);
      })
      .catch(() => {});
    return next;
  }

  private connection(): RedisClient {
    if (this.client) return this.client;
    const client = openNamed(this.options, `${this.name}:live`, false);
    // This connection only ever subscribes. ioredis' ready check (INFO) would race with a
    // SUBSCRIBE sent while it runs (SUBSCRIBE may go out before `ready`), and fail.
    if (client instanceof Redis) client.options.enableReadyCheck = false;
    client.on('message', (channel: string, message: string) => {
      this.handlers.get(channel)?.onMessage(message);
    });
    client.on('ready', () => {
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        return;
      }
      void this.resubscribe(client);
    });
    this.client = client;
    return client;
  }

  private async resubscribe(client: RedisClient): Promise<void> {
    const channels = [...this.handlers.keys()];
    if (channels.length === 0 || this.closed) return;
    try {
      await client.subscribe(...channels);
    } catch {
      return; // dropped again: the next 'ready' retries
    }
    for (const channel of channels) this.handlers.get(channel)?.onResync();
  }
}
