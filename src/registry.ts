/**
 * The registry of names: one set of queue names and one of topic names per prefix, so that an
 * admin face can list what exists without scanning the keyspace. A name is added (idempotent
 * SADD) before the first write a handle makes to its queue or topic, once per handle (queues) or
 * per `Streams` instance (topics). Written outside the queue's scripts, in a slot of its own: a
 * crash between the SADD and the write leaves a name with no keys (harmless), never keys with no
 * name. See `docs/keys.md`.
 *
 * @example
 * ```ts
 * const registry = new Registry({ connection: 'redis://127.0.0.1:6379', prefix: 'app' });
 * console.log(await registry.queues(), await registry.topics());
 * await registry.close();
 * ```
 */
import type { ConnectionOptions } from './redis/connection.js';
import {
  CommandConnection,
  checkHandleOptions,
  type ConnectionRetry,
} from './redis/command-connection.js';
import { DEFAULT_PREFIX, registryKeys } from './redis/keys.js';
import { ClosedError, ValidationError } from './errors.js';
import { knownKeys, shown } from './validate.js';

const REGISTRY_KEYS = knownKeys(['connection', 'prefix', 'connectionRetry']);

/** Options of {@link Registry}. */
export interface RegistryOptions {
  /** How to reach Redis; default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  connection?: ConnectionOptions;
  /** Key prefix; default `sluice`. */
  prefix?: string;
  /** How a read rides out a short loss of Redis (as a Queue's); then `SLC_ERR_CONNECTION`. */
  connectionRetry?: ConnectionRetry;
}

/** Which set of names. */
export type RegistryKind = 'queues' | 'topics';

/**
 * Reads the registry of names under one prefix (see the file notes). Holds one connection.
 *
 * @example
 * ```ts
 * const registry = new Registry({ prefix: 'app' });
 * if (await registry.has('queues', 'emails')) console.log('emails has been used');
 * ```
 */
export class Registry {
  /** The key prefix whose names it reads. */
  readonly prefix: string;
  // A command connection, as every other handle has: a read while Redis is away waits for it
  // within the retry budget, then fails with SLC_ERR_CONNECTION (a bare client waited for ever).
  private readonly conn: CommandConnection;
  private closed = false;

  constructor(options: RegistryOptions = {}) {
    const { o, retry } = checkHandleOptions(options, 'Registry options', REGISTRY_KEYS);
    this.prefix = o.prefix ?? DEFAULT_PREFIX;
    this.conn = new CommandConnection(o.connection, undefined, retry, 'registry');
  }

  /** Every queue name used under the prefix, sorted. */
  queues(): Promise<string[]> {
    return this.list('queues');
  }

  /** Every durable topic name published to under the prefix, sorted. */
  topics(): Promise<string[]> {
    return this.list('topics');
  }

  /** Whether `name` is registered in `kind`. */
  async has(kind: RegistryKind, name: string): Promise<boolean> {
    this.assertOpen();
    const key = this.keyOf(kind);
    return (await this.conn.run((c) => c.sismember(key, name), 'SISMEMBER')) === 1;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  private async list(kind: RegistryKind): Promise<string[]> {
    this.assertOpen();
    const key = this.keyOf(kind);
    return (await this.conn.run((c) => c.smembers(key), 'SMEMBERS')).sort();
  }

  private keyOf(kind: RegistryKind): string {
    if (kind !== 'queues' && kind !== 'topics')
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `kind must be queues | topics, got ${shown(kind)}`,
      ]);
    return registryKeys(this.prefix)[kind];
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('registry');
  }
}

/**
 * Registers a name once: the first call sends the SADD, later calls share its promise. A failed
 * SADD is forgotten, so the next write tries again (and fails the same way its own write would).
 * @internal
 */
export class NameRegistration {
  private readonly done = new Map<string, Promise<void>>();

  constructor(private readonly send: (key: string, name: string) => Promise<unknown>) {}

  ensure(prefix: string, kind: RegistryKind, name: string): Promise<void> {
    const key = registryKeys(prefix)[kind];
    const memo = `${key}\n${name}`;
    let p = this.done.get(memo);
    if (!p) {
      p = this.send(key, name).then(
        () => undefined,
        (err: unknown) => {
          this.done.delete(memo);
          throw err;
        },
      );
      this.done.set(memo, p);
    }
    return p;
  }
}
