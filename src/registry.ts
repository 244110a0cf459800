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
import {
  closeConnection,
  openConnection,
  type ConnectionOptions,
  type RedisClient,
} from './redis/connection.js';
import { DEFAULT_PREFIX, registryKeys } from './redis/keys.js';
import { ClosedError } from './errors.js';

/** Options of {@link Registry}. */
export interface RegistryOptions {
  /** How to reach Redis; default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  connection?: ConnectionOptions;
  /** Key prefix; default `sluice`. */
  prefix?: string;
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
  private readonly client: RedisClient;
  private closed = false;

  constructor(options: RegistryOptions = {}) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.client = openConnection(options.connection);
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
    return (await this.client.sismember(registryKeys(this.prefix)[kind], name)) === 1;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeConnection(this.client);
  }

  private async list(kind: RegistryKind): Promise<string[]> {
    this.assertOpen();
    return (await this.client.smembers(registryKeys(this.prefix)[kind])).sort();
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
