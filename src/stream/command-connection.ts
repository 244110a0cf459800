/**
 * The command connection of a {@link Streams} hub, with the rule for riding out a short loss of
 * Redis. A command is sent only while the connection is up; while it is down the call waits (for
 * the connection to come back, or the next back-off step, whichever is first) and tries again,
 * up to `retry.attempts` times, then fails with `SLC_ERR_CONNECTION` — never sent, so never
 * applied. The offline queue is off, so a command is never silently parked.
 *
 * A command already sent when the link broke is re-sent by the client once it reconnects (it
 * may then apply twice — which an idempotency key makes harmless; see docs/streams.md). If the
 * link stays down for the whole retry budget (the sum of the back-off delays), such a call fails
 * with `SLC_ERR_CONNECTION` too, rather than waiting for ever; it may still be applied if Redis
 * comes back, so retry it with the same idempotency key.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { ClosedError, ConnectionError, RedisVersionError, TimeoutError } from '../errors.js';
import {
  closeConnection,
  openConnection,
  type ConnectionOptions,
  type RedisClient,
} from '../redis/connection.js';
import { loadAllScripts, script } from '../redis/scripts.js';
import { verifyRedisVersion } from '../redis/version.js';
import type { ConnectionRetry } from './options.js';
import { isTransient, toSluiceError } from './redis-errors.js';

/**
 * Opens a connection named `name` (see CLIENT LIST); `failFast` turns the offline queue off.
 *
 * @example
 * ```ts
 * const live = openNamed('redis://127.0.0.1:6379', 'sluice:live', false);
 * ```
 */
export function openNamed(
  options: ConnectionOptions | undefined,
  name: string,
  failFast: boolean,
): RedisClient {
  const client = openConnection(options);
  // The connect handshake (CLIENT SETNAME) and every send read these options, so setting them
  // right after construction applies to the first connect and every reconnect.
  if (client instanceof Redis) client.options.connectionName = name;
  if (failFast) client.options.enableOfflineQueue = false;
  client.on('error', () => {}); // reported through the commands that fail
  return client;
}

/** The total wait of a call that uses up its attempts: the sum of its back-off delays, ms. */
export function retryBudgetMs(retry: Required<ConnectionRetry>): number {
  let total = 0;
  let delay = retry.minDelayMs;
  for (let attempt = 1; attempt < retry.attempts; attempt++) {
    total += delay;
    delay = Math.min(delay * 2, retry.maxDelayMs);
  }
  return total;
}

/**
 * The hub's command connection (see the file notes for its retry rule).
 *
 * @example
 * ```ts
 * const conn = new CommandConnection(url, 'sluice:cmd', { attempts: 20, minDelayMs: 50, maxDelayMs: 1000 });
 * const len = await conn.run((c) => c.xlen('sluice:{s:orders}:stream'));
 * ```
 */
export class CommandConnection {
  readonly client: RedisClient;
  private closed = false;
  private scriptsRead = false;
  private readonly budgetMs: number;
  /** Rejecters of the commands sent and not answered yet. */
  private readonly inFlight = new Set<(err: Error) => void>();
  /** Runs out when the link has been down for the whole retry budget. */
  private downTimer: NodeJS.Timeout | undefined;

  constructor(
    options: ConnectionOptions | undefined,
    name: string,
    private readonly retry: Required<ConnectionRetry>,
  ) {
    this.client = openNamed(options, name, true);
    this.budgetMs = retryBudgetMs(retry);
    this.client.on('close', () => this.linkDown());
    this.client.on('ready', () => {
      clearTimeout(this.downTimer);
      this.downTimer = undefined;
    });
  }

  /**
   * Runs `op` (plain commands) under the retry rule above. Errors other than the connection's
   * come out typed: `SLC_ERR_REDIS` for an error reply (see `redis-errors.ts`).
   */
  run<T>(op: (client: RedisClient) => Promise<T>, what = 'Redis command'): Promise<T> {
    return this.retrying(op, what, false);
  }

  /** Calls Lua script `name` under the retry rule; its error replies become `SLC_ERR_SCRIPT`. */
  script(
    name: string,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return this.retrying((c) => script(c, name)(keys, args), `script ${name}`, true);
  }

  /**
   * Health check: one PING, no retry (the first call also reads every script and checks the
   * Redis version). Resolves with the round trip in ms; throws `SLC_ERR_CONNECTION` when Redis
   * is not reachable now, `SLC_ERR_TIMEOUT` after `timeoutMs`, `SLC_ERR_REDIS_VERSION` when
   * Redis is too old.
   */
  async ping(timeoutMs = 2000): Promise<number> {
    if (this.closed) throw new ClosedError('streams');
    if (this.client.status !== 'ready')
      throw new ConnectionError(`Redis is not reachable (connection ${this.client.status})`);
    this.scriptsRead ||= loadAllScripts() > 0;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        verifyRedisVersion(this.client).then(() => this.client.ping()),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new TimeoutError(`PING took longer than ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof TimeoutError || err instanceof RedisVersionError) throw err;
      throw new ConnectionError(`PING failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    return performance.now() - started;
  }

  /** Closes the connection (after the replies still due); later calls fail with `SLC_ERR_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.downTimer);
    await closeConnection(this.client);
  }

  private async retrying<T>(
    op: (client: RedisClient) => Promise<T>,
    what: string,
    isScript: boolean,
  ): Promise<T> {
    let delay = this.retry.minDelayMs;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ClosedError('streams');
      if (this.client.status === 'ready') {
        try {
          return await this.send(op);
        } catch (err) {
          if (!isTransient(err)) throw toSluiceError(err, what, isScript);
          last = err;
        }
      } else {
        last = new Error(`connection is ${this.client.status}`);
      }
      if (attempt >= this.retry.attempts)
        throw new ConnectionError(
          `Redis unreachable after ${attempt} attempts: ${(last as Error).message}`,
          { cause: last },
        );
      await this.waitReady(delay);
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
  }

  /** Sends `op` now; fails it if the link goes down and stays down for the retry budget. */
  private send<T>(op: (client: RedisClient) => Promise<T>): Promise<T> {
    const reply = op(this.client);
    return new Promise<T>((resolve, reject) => {
      this.inFlight.add(reject);
      reply.then(
        (value) => {
          this.inFlight.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          this.inFlight.delete(reject);
          reject(err);
        },
      );
    });
  }

  private linkDown(): void {
    if (this.downTimer || this.closed) return;
    this.downTimer = setTimeout(() => {
      this.downTimer = undefined;
      const err = new ConnectionError(
        `Redis was unreachable for ${this.budgetMs} ms with the command in flight; it may still ` +
          'be applied when Redis is back (retry with the same idempotency key)',
      );
      const rejecters = [...this.inFlight];
      this.inFlight.clear();
      for (const reject of rejecters) reject(err);
    }, this.budgetMs);
  }

  private waitReady(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.client.once('ready', done);
    });
  }
}
