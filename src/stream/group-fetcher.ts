/**
 * The fetch loop of one consumer on one topic (one feed partition): blocks on XREADGROUP on a
 * connection of its own while the consumer has room, and hands what arrives to `deliver`.
 * A group (or topic) that vanished — the topic expired or was deleted — is created again.
 * `stop()` ends a blocked read at once (CLIENT UNBLOCK on a single node; on Cluster the read
 * ends within `blockMs`).
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions, RedisClient } from '../redis/connection.js';
import { closeConnection } from '../redis/connection.js';
import type { CommandConnection } from '../redis/command-connection.js';
import { openNamed } from '../redis/command-connection.js';
import type { Delivery, GroupCommands } from './group-commands.js';
import { replyCode, toSluiceError } from '../redis/redis-errors.js';

/**
 * The fetch loop of one consumer on one topic (see the file notes).
 *
 * @example
 * ```ts
 * const fetcher = new GroupFetcher(commands, hub.conn, url, 'sluice:group:g:0', { consumer, blockMs, room, deliver, recreate, onError });
 * fetcher.start();
 * await fetcher.stop();
 * ```
 */
export class GroupFetcher {
  private readonly client: RedisClient;
  private clientId: number | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly commands: GroupCommands,
    private readonly conn: CommandConnection,
    connection: ConnectionOptions | undefined,
    name: string,
    private readonly opts: {
      consumer: string;
      blockMs: number;
      /** Resolves with how many entries to ask for once there is room (0 = stopping). */
      room: () => Promise<number>;
      deliver: (d: Delivery) => void;
      recreate: () => Promise<void>;
      onError: (err: unknown) => void;
    },
  ) {
    this.client = openNamed(connection, name, false);
    const client = this.client;
    if (client instanceof Redis) {
      // Sent before anything queued or re-sent on this (re)connection, so it is always current.
      client.on('ready', () => {
        client.client('ID').then(
          (id) => (this.clientId = id as number),
          () => {},
        );
      });
    }
  }

  /** Starts the loop (once). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the loop (a blocked read at once where it can) and closes its connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.client instanceof Redis && this.clientId !== undefined) {
      const id = this.clientId;
      await this.conn.run((c) => c.client('UNBLOCK', id), 'CLIENT UNBLOCK').catch(() => {});
    }
    await this.loop;
    await closeConnection(this.client, true);
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      const count = await this.opts.room();
      if (this.stopping || count <= 0) break;
      try {
        const got = await this.commands.readNew(
          this.client,
          this.opts.consumer,
          count,
          this.opts.blockMs,
        );
        backoff = 100;
        for (const d of got) this.opts.deliver(d);
      } catch (err) {
        if (this.stopping) break;
        if (replyCode(err) === 'NOGROUP') {
          await this.opts.recreate().catch(this.opts.onError);
          continue;
        }
        this.opts.onError(toSluiceError(err, 'XREADGROUP', false));
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }
}
