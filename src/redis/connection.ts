/**
 * Connection options: a URL, ioredis options (incl. TLS and Sentinel), a Cluster, or a client
 * you already own (`new Redis(url)`, `new Cluster(nodes)` or `{ client }`). Sluice opens its own
 * connections from these (a worker needs a blocking one), each with the options it needs.
 */
import { Redis, Cluster, type RedisOptions, type ClusterNode, type ClusterOptions } from 'ioredis';
import { ValidationError } from '../errors.js';

/** A Redis client, single node or Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * How to reach Redis.
 * - a URL string: `redis://[:password@]host:port[/db]`, `rediss://` for TLS;
 * - ioredis options (host, port, tls, sentinels + name for Sentinel, …);
 * - `{ cluster: [...nodes], clusterOptions }` for Redis Cluster;
 * - an ioredis `Redis` or `Cluster` instance, or `{ client }` holding one: Sluice duplicates it
 *   for each connection it needs (with `maxRetriesPerRequest: null` and no auto-pipelining
 *   forced on the copies), and never uses or closes the one you passed.
 */
export type ConnectionOptions =
  | string
  | RedisClient
  | RedisOptions
  | { cluster: ClusterNode[]; clusterOptions?: ClusterOptions }
  | { client: RedisClient };

/** Options Sluice needs on every connection it opens. */
const REQUIRED: RedisOptions = {
  // Blocking commands and long scripts must not be cut short by ioredis.
  maxRetriesPerRequest: null,
  enableAutoPipelining: false,
};

/**
 * Opens a new connection from {@link ConnectionOptions}. Connection errors go to `onError`
 * (ioredis reconnects by itself; commands wait for the connection to come back).
 */
export function openConnection(
  options: ConnectionOptions | undefined,
  onError: (err: Error) => void = () => {},
): RedisClient {
  const given = options ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let client: RedisClient;
  try {
    client = createClient(given);
  } catch (err) {
    // ioredis parses a URL with `new URL` and throws its TypeError
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `connection is not a usable Redis URL or options (${(err as Error).message})`,
    ]);
  }
  client.on('error', onError);
  return client;
}

/**
 * True for an ioredis client. Told by shape, not `instanceof`: the caller's ioredis may be
 * another copy than Sluice's. (A Redis instance has a `client` method, so this comes first.)
 */
function isClient(x: unknown): x is RedisClient {
  const c = x as Partial<Record<'duplicate' | 'defineCommand' | 'isCluster', unknown>>;
  return (
    typeof c.duplicate === 'function' &&
    typeof c.defineCommand === 'function' &&
    typeof c.isCluster === 'boolean'
  );
}

/** A copy of `client` on a new connection, with the options Sluice needs. */
function duplicate(client: RedisClient): RedisClient {
  if (client.isCluster) {
    const cluster = client as Cluster;
    return cluster.duplicate([], {
      redisOptions: { ...cluster.options.redisOptions, ...REQUIRED },
    });
  }
  return (client as Redis).duplicate(REQUIRED);
}

function createClient(opts: ConnectionOptions): RedisClient {
  if (typeof opts === 'string') return new Redis(opts, REQUIRED);
  if (isClient(opts)) return duplicate(opts);
  if ('client' in opts) return duplicate(opts.client);
  if ('cluster' in opts) {
    return new Cluster(opts.cluster, {
      ...opts.clusterOptions,
      redisOptions: { ...opts.clusterOptions?.redisOptions, ...REQUIRED },
    });
  }
  return new Redis({ ...opts, ...REQUIRED });
}

/**
 * True for errors that only say the connection is down (ioredis is already reconnecting),
 * including Sluice's own `SLC_ERR_CONNECTION` (a call that used up its retry budget).
 */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // A script's lost link arrives wrapped as SLC_ERR_CONNECTION: judge the original.
  if (code === 'SLC_ERR_CONNECTION') return isConnectionError((err as Error).cause);
  return (
    typeof code === 'string' &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      'ENOTFOUND',
      'EHOSTUNREACH',
      'SLC_ERR_CONNECTION',
    ].includes(code)
  );
}

/** Closes a connection Sluice opened; waits for pending replies unless `force`. */
export async function closeConnection(client: RedisClient, force = false): Promise<void> {
  if (client.status === 'end') return;
  // QUIT waits for its reply; with Redis away it would wait for a reconnect that may never come.
  if (force || client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * Subscribes `client` to `channel` once the connection is ready. ioredis writes SUBSCRIBE as
 * soon as the socket connects (the command may run while Redis loads), before its INFO ready
 * check; Redis then refuses the INFO on the subscribed connection, and ioredis reports "Ready
 * check failed", drops the connection and reconnects. Waiting for `ready` closes that window.
 */
export async function subscribeWhenReady(client: RedisClient, channel: string): Promise<void> {
  if (client.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        client.off('end', onEnd);
        resolve();
      };
      const onEnd = () => {
        client.off('ready', onReady);
        reject(new Error('connection closed before it was ready'));
      };
      client.once('ready', onReady);
      client.once('end', onEnd);
    });
  }
  await client.subscribe(channel);
}
