/**
 * A command connection with the rule for riding out a short loss of Redis, shared by queues
 * (Queue, Worker) and streams. A command is sent only while the connection is up; while it is
 * down the call waits (for the connection to come back, or the next back-off step, whichever is
 * first) and tries again, up to `retry.attempts` times, then fails with `SLC_ERR_CONNECTION` —
 * never sent, so never applied. The offline queue is off, so a command is never silently parked.
 *
 * A command already sent when the link broke is re-sent by the client once it reconnects (it
 * may then apply twice — which a job id or an idempotency key makes harmless; see
 * docs/guarantees.md). If the link stays down for the whole retry budget (the sum of the
 * back-off delays), such a call fails with `SLC_ERR_CONNECTION` too, rather than waiting for
 * ever; it may still be applied if Redis comes back, so retry it with the same id or key.
 * A Worker's connection (`forgetGivenUp`) instead drops such commands from the client's re-send
 * queue when they fail: a fetching call re-sent after its caller gave up would lease jobs to no
 * one, and they would wait out the whole lease (the acks it carried are retried by the worker).
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import {
  ClosedError,
  ConnectionError,
  RedisVersionError,
  TimeoutError,
  ValidationError,
} from '../errors.js';
import {
  closeConnection,
  openConnection,
  type ConnectionOptions,
  type RedisClient,
} from './connection.js';
import { loadAllScripts, script, type PreparedScript } from './scripts.js';
import { verifyRedisVersion } from './version.js';
import {
  MAX_INTERVAL_MS,
  connectionProblem,
  intProblem,
  isOptionsObject,
  knownKeys,
  optionsArg,
  prefixProblem,
  pushUnknownKeys,
  shown,
  type KnownKeys,
} from '../validate.js';
import { isTransient, toSluiceError } from './redis-errors.js';

/** How commands ride out a short loss of Redis (a restart, a fail-over, a dropped link). */
export interface ConnectionRetry {
  /** Tries per command before it fails with `SLC_ERR_CONNECTION` (1–1,000); default 20. */
  attempts?: number;
  /** First wait between tries, ms (at most 24 h); doubled each time. Default 50. */
  minDelayMs?: number;
  /** Longest wait between tries, ms (at most 24 h); default 1,000 (so 20 tries span about 16 s). */
  maxDelayMs?: number;
}

/**
 * Checks and normalises {@link ConnectionRetry} (defaults filled in); `at` names the option in
 * the one `SLC_ERR_INVALID_OPTIONS` error that lists every problem.
 *
 * @example
 * ```ts
 * toConnectionRetry({ attempts: 5 }); // { attempts: 5, minDelayMs: 50, maxDelayMs: 1000 }
 * ```
 */
/**
 * Checks the options of a handle that opens a command connection (FlowProducer, FlowRelay,
 * Scheduler, Registry): their type, every unknown name, the `connection`, `prefix` and
 * `connectionRetry` each takes, and the problems `more` finds, in one `SLC_ERR_INVALID_OPTIONS`.
 * Returns the options and the resolved retry budget.
 */
export function checkHandleOptions<T extends HandleOptions>(
  v: T | undefined | null,
  what: string,
  keys: KnownKeys,
  more: (o: Record<string, unknown>) => (string | undefined)[] = () => [],
): { o: T; retry: Required<ConnectionRetry> } {
  const o = optionsArg(v, what);
  const problems: string[] = [];
  pushUnknownKeys(o, keys, '', problems);
  const retry = toConnectionRetry(o.connectionRetry, 'connectionRetry', problems);
  const values = o as Record<string, unknown>;
  // the prefix Queue and Worker take: a handle under another reaches none of their keys
  for (const p of [connectionProblem(o.connection), prefixProblem(o.prefix), ...more(values)])
    if (p) problems.push(p);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return { o, retry };
}

/** The options {@link checkHandleOptions} checks for every handle. */
export interface HandleOptions {
  connection?: ConnectionOptions;
  prefix?: string;
  connectionRetry?: ConnectionRetry;
}

export function toConnectionRetry(
  o: ConnectionRetry | undefined = {},
  at = 'retry',
  /** Collect the problems here instead of throwing them (to report them with others). */
  problemsOut?: string[],
): Required<ConnectionRetry> {
  const problems: string[] = [];
  if (!isOptionsObject(o)) problems.push(`${at} must be an object, got ${shown(o)}`);
  else {
    pushUnknownKeys(o, CONNECTION_RETRY_KEYS, `${at}.`, problems);
    for (const p of [
      intProblem(`${at}.attempts`, o.attempts, 1, 1000),
      intProblem(`${at}.minDelayMs`, o.minDelayMs, 0, MAX_INTERVAL_MS),
      intProblem(`${at}.maxDelayMs`, o.maxDelayMs, 0, MAX_INTERVAL_MS),
    ])
      if (p) problems.push(p);
  }
  if (problemsOut) problemsOut.push(...problems);
  else if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  const r: ConnectionRetry = isOptionsObject(o) ? o : {};
  return {
    attempts: r.attempts ?? 20,
    minDelayMs: r.minDelayMs ?? 50,
    maxDelayMs: r.maxDelayMs ?? 1000,
  };
}

const CONNECTION_RETRY_KEYS = knownKeys(['attempts', 'minDelayMs', 'maxDelayMs'], {
  retries: 'attempts',
  maxRetries: 'attempts',
});

/**
 * Opens a connection named `name` (see CLIENT LIST; none if undefined); `failFast` turns the
 * offline queue off. Connection errors go to `onError` (default: dropped — they are reported
 * through the commands that fail).
 *
 * @example
 * ```ts
 * const live = openNamed('redis://127.0.0.1:6379', 'sluice:live', false);
 * ```
 */
export function openNamed(
  options: ConnectionOptions | undefined,
  name: string | undefined,
  failFast: boolean,
  onError: (err: Error) => void = () => {},
): RedisClient {
  const client = openConnection(options, onError);
  // The connect handshake (CLIENT SETNAME) and every send read these options, so setting them
  // right after construction applies to the first connect and every reconnect.
  if (client instanceof Redis && name !== undefined) client.options.connectionName = name;
  if (failFast) client.options.enableOfflineQueue = false;
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
 * A command connection (see the file notes for its retry rule): a Streams hub's, a Queue's and
 * a Worker's.
 *
 * @example
 * ```ts
 * const conn = new CommandConnection(url, 'sluice:cmd', toConnectionRetry());
 * const len = await conn.run((c) => c.xlen('sluice:{s:orders}:stream'));
 * ```
 */
export class CommandConnection {
  readonly client: RedisClient;
  private closed = false;
  private scriptsRead = false;
  private readyCount = 0;
  private readonly budgetMs: number;
  /** Rejecters of the commands sent and not answered yet. */
  private readonly inFlight = new Set<(err: Error) => void>();
  /** Runs out when the link has been down for the whole retry budget. */
  private downTimer: NodeJS.Timeout | undefined;
  /** The send of a batch held for the end of the turn (see {@link hold}). */
  private held: (() => void) | undefined;

  constructor(
    options: ConnectionOptions | undefined,
    name: string | undefined,
    private readonly retry: Required<ConnectionRetry>,
    /** What a call after `close()` names in its `SLC_ERR_CLOSED` error. */
    private readonly owner = 'streams',
    onError?: (err: Error) => void,
    /** A call that fails after the retry budget is not re-sent when Redis is back (Workers). */
    private readonly forgetGivenUp = false,
  ) {
    this.client = openNamed(options, name, true, onError);
    this.budgetMs = retryBudgetMs(retry);
    this.client.on('close', () => this.linkDown());
    this.client.on('ready', () => {
      this.readyCount++;
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

  /** Calls a {@link PreparedScript} under the same rule as {@link script}. */
  prepared(p: PreparedScript, args: readonly (string | number)[]): Promise<unknown> {
    return this.retrying((c) => p.call(c, args), p.what, true);
  }

  /**
   * Holds a batch of calls for the end of the turn (single adds: `plain-adds.ts`): `flush`
   * sends it, and runs before any other command this connection sends (another batch's too), so
   * commands reach Redis in the order they were made. The batch calls {@link release} as it
   * sends on its own.
   */
  hold(flush: () => void): void {
    if (this.held !== flush) this.flushHeld();
    this.held = flush;
  }

  /** Forgets `flush` if it is the held batch's (it is being sent). */
  release(flush: () => void): void {
    if (this.held === flush) this.held = undefined;
  }

  /** Sends the held batch now, if there is one. */
  flushHeld(): void {
    const flush = this.held;
    if (flush === undefined) return;
    this.held = undefined;
    flush();
  }

  /**
   * Health check: one PING, no retry (the first call also reads every script and checks the
   * Redis version). Resolves with the round trip in ms; throws `SLC_ERR_CONNECTION` when Redis
   * is not reachable now, `SLC_ERR_TIMEOUT` after `timeoutMs`, `SLC_ERR_REDIS_VERSION` when
   * Redis is too old.
   */
  async ping(timeoutMs = 2000): Promise<number> {
    if (this.closed) throw new ClosedError(this.owner);
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

  /**
   * Counts the times the link became ready: a reply read at one value came on the same socket
   * as every command sent at that value (what `WAIT` after a write relies on).
   */
  get generation(): number {
    return this.readyCount;
  }

  /** Closes the connection (after the replies still due); later calls fail with `SLC_ERR_CLOSED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushHeld(); // calls made before the close are sent, as every other one is
    this.closed = true;
    clearTimeout(this.downTimer);
    await closeConnection(this.client);
  }

  private async retrying<T>(
    op: (client: RedisClient) => Promise<T>,
    what: string,
    isScript: boolean,
  ): Promise<T> {
    if (this.held !== undefined) this.flushHeld(); // made before this command: sent first
    let delay = this.retry.minDelayMs;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ClosedError(this.owner);
      // A lazy client (`lazyConnect`) connects on its first command: with no offline queue that
      // command would fail, so connect it here.
      if (this.client.status === 'wait') this.client.connect().catch(() => {});
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
          'be applied when Redis is back (retry with the same job id or idempotency key)',
      );
      const rejecters = [...this.inFlight];
      this.inFlight.clear();
      for (const reject of rejecters) reject(err);
      if (this.forgetGivenUp) dropResends(this.client, err);
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

/** What ioredis keeps, on a single node, of the commands unanswered when the link broke. */
interface ResendQueue {
  readonly length: number;
  shift(): { command: { reject(err: Error): void } } | undefined;
}

/**
 * Empties the queue a single-node ioredis client re-sends from once it reconnects (its private
 * `prevCommandQueue`; each command's caller has just been rejected), failing each command.
 * Only the link's own loss fills it, and every command in it was sent by this connection.
 */
function dropResends(client: RedisClient, err: Error): void {
  if (client.isCluster) return;
  const queue = (client as unknown as { prevCommandQueue?: ResendQueue | null }).prevCommandQueue;
  while (queue && queue.length > 0) queue.shift()?.command.reject(err);
}
