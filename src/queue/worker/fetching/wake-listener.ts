/**
 * Wake listener: an idle worker blocks on the queue's `marker` list on a connection of its own,
 * so it wakes the moment a job is added, promoted, retried or the queue resumes — no polling.
 * The wake-up carries its jobs: the fetch script is sent right behind the `BLPOP` on the same
 * connection, so Redis runs it the moment the `BLPOP` returns, and one round trip both waits for
 * work and takes it under lease (see docs/guarantees.md, _Delayed jobs without polling_).
 *
 * Crash safety: the `BLPOP` only takes a wake-up signal (a hint; the safety-net timeout covers a
 * lost one), and the fetch is the same atomic script as anywhere else: a worker that dies after
 * it ran holds leases that expire and are reaped like any other, whichever step it died at.
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../../redis/connection.js';
import { isVersionVerified, verifyRedisVersion } from '../../../redis/version.js';
import type { FetchReply, QueueCommands } from '../../commands/commands.js';

export class WakeListener {
  private pending: Promise<unknown> | undefined;
  private stopped = false;
  /** `CLIENT ID` of the blocking connection (single-node clients), to unblock it on close. */
  private clientId: number | undefined;

  /** `commands`: the queue's scripts bound to `client`, the blocking connection. */
  constructor(
    private readonly client: RedisClient,
    private readonly commands: QueueCommands,
    private readonly markerKey: string,
    private readonly timeoutMs: number,
  ) {
    // a new connection has a new id
    client.on('ready', () => (this.clientId = undefined));
  }

  /** True while a wait is under way. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Waits for a wake-up (or the safety-net timeout), then takes up to `count` jobs under lease
   * in the same round trip (none when `count` is 0: the caller fetches). Resolves with the
   * fetch reply (undefined when `count` is 0 or the listener was stopped before it started).
   * `before` sends a command of its own first, in the same write (acks riding with the wait); it
   * is not called if the listener was stopped first. `leadMs`: as the fetch's (delayed jobs due
   * within it come ahead, see QueueCommands.fetch).
   */
  wait(
    count: number,
    leaseMs: number,
    tokenBase: string,
    before?: (commands: QueueCommands) => void,
    leadMs = 0,
  ): Promise<FetchReply | undefined> {
    const run = this.run(count, leaseMs, tokenBase, before, leadMs);
    this.pending = run;
    const clear = () => {
      if (this.pending === run) this.pending = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private async run(
    count: number,
    leaseMs: number,
    tokenBase: string,
    before: ((commands: QueueCommands) => void) | undefined,
    leadMs: number,
  ): Promise<FetchReply | undefined> {
    // Nothing may queue behind the BLPOP but the fetch: check the version and learn the id first.
    if (!isVersionVerified(this.client)) await verifyRedisVersion(this.client);
    if (!this.client.isCluster && this.clientId === undefined)
      this.clientId = Number(await (this.client as Redis).client('ID'));
    if (this.stopped) return undefined;
    if (count <= 0) {
      before?.(this.commands);
      await this.client.blpop(this.markerKey, this.timeoutMs / 1000);
      return undefined;
    }
    // One write for all (a single node's socket, when connected): one read for Redis too.
    const stream = !this.client.isCluster && this.client.status === 'ready' ? this.stream() : null;
    stream?.cork();
    before?.(this.commands);
    const popped = this.client.blpop(this.markerKey, this.timeoutMs / 1000);
    // Sent on the same connection right behind the BLPOP: Redis runs it once the BLPOP returns.
    const fetched = this.commands.fetch(count, leaseMs, tokenBase, leadMs);
    stream?.uncork();
    popped.catch(() => {}); // its failure is the fetch's too
    return fetched;
  }

  private stream(): { cork(): void; uncork(): void } | null {
    return (this.client as Redis).stream ?? null;
  }

  /**
   * Ends any wait and closes the connection. A wait under way is ended first (`unblock` on a
   * single node, `kick` — a wake-up signal — elsewhere) and awaited up to a second, so jobs its
   * fetch took come back in its reply (the caller releases them) rather than by lease expiry.
   */
  async stop(
    unblock: (clientId: number) => Promise<unknown>,
    kick: () => Promise<unknown>,
  ): Promise<void> {
    this.stopped = true;
    const pending = this.pending;
    if (pending) {
      const id = this.clientId;
      await (id !== undefined ? unblock(id) : kick()).catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pending.catch(() => {}),
        new Promise((r) => (timer = setTimeout(r, 1000))),
      ]);
      clearTimeout(timer);
    }
    this.client.disconnect();
  }
}
