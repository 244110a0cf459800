/**
 * The command connection of a {@link Streams} hub, with the rule for riding out a short loss of
 * Redis: a command is sent only while the connection is up; while it is down the call waits (for
 * the connection to come back, or the next back-off step, whichever is first) and tries again,
 * up to `retry.attempts` times, then fails with `SLC_ERR_CONNECTION`. The offline queue is off,
 * so a command is never silently parked for an unbounded time. A command that was sent when the
 * link broke is re-sent by the client once it reconnects (it may then apply twice — which an
 * idempotency key makes harmless; see docs/streams.md).
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { ClosedError, ConnectionError, TimeoutError } from '../errors.js';
import {
  closeConnection,
  openConnection,
  type ConnectionOptions,
  type RedisClient,
} from '../redis/connection.js';
import type { ConnectionRetry } from './options.js';

const TRANSIENT =
  /Stream isn't writeable|Connection is closed|Cluster isn't ready|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|^LOADING|^CLUSTERDOWN|^TRYAGAIN|^MASTERDOWN|^READONLY|MaxRetriesPerRequest|All sentinels are unreachable/;

/** True for errors that mean "Redis was briefly unreachable", worth another try. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || TRANSIENT.test(err.message);
}

/** Opens a connection named `name` (see CLIENT LIST); `failFast` turns the offline queue off. */
export function openNamed(
  options: ConnectionOptions | undefined,
  name: string,
  failFast: boolean,
): RedisClient {
  const client = openConnection(options);
  // The connect handshake (CLIENT SETNAME) and every send read these options, so setting them
  // right after construction applies to the first connect and every reconnect.
  if (client instanceof Redis) {
    client.options.connectionName = name;
    if (failFast) client.options.enableOfflineQueue = false;
  } else if (failFast) {
    client.options.enableOfflineQueue = false;
  }
  client.on('error', () => {}); // reported through the commands that fail
  return client;
}

export class CommandConnection {
  readonly client: RedisClient;
  private closed = false;

  constructor(
    options: ConnectionOptions | undefined,
    name: string,
    private readonly retry: Required<ConnectionRetry>,
  ) {
    this.client = openNamed(options, name, true);
  }

  /** Runs `op` under the retry rule above. */
  async run<T>(op: (client: RedisClient) => Promise<T>): Promise<T> {
    let delay = this.retry.minDelayMs;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ClosedError('streams');
      if (this.client.status === 'ready') {
        try {
          return await op(this.client);
        } catch (err) {
          if (!isTransient(err)) throw err;
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

  /**
   * Health check: one PING, no retry. Resolves with the round trip in ms; throws
   * `SLC_ERR_CONNECTION` when Redis is not reachable now, `SLC_ERR_TIMEOUT` after `timeoutMs`.
   */
  async ping(timeoutMs = 2000): Promise<number> {
    if (this.closed) throw new ClosedError('streams');
    if (this.client.status !== 'ready')
      throw new ConnectionError(`Redis is not reachable (connection ${this.client.status})`);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new TimeoutError(`PING took longer than ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof TimeoutError) throw err;
      throw new ConnectionError(`PING failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    return performance.now() - started;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeConnection(this.client);
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
