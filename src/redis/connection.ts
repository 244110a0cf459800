/**
 * Connection options: a URL, ioredis options (incl. TLS and Sentinel), a Cluster, or a client
 * you already own. Sluice opens its own connections from these (a worker needs a blocking one).
 */
import { Redis, Cluster, type RedisOptions, type ClusterNode, type ClusterOptions } from 'ioredis';

/** A Redis client, single node or Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * How to reach Redis.
 * - a URL string: `redis://[:password@]host:port[/db]`, `rediss://` for TLS;
 * - ioredis options (host, port, tls, sentinels + name for Sentinel, …);
 * - `{ cluster: [...nodes], clusterOptions }` for Redis Cluster;
 * - `{ client }`: an existing client; Sluice duplicates it where it needs a connection of its own
 *   and never closes the one you passed.
 */
export type ConnectionOptions =
  | string
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
  const client = createClient(options ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  client.on('error', onError);
  return client;
}

function createClient(opts: ConnectionOptions): RedisClient {
  if (typeof opts === 'string') return new Redis(opts, REQUIRED);
  if ('client' in opts) return opts.client.duplicate() as RedisClient;
  if ('cluster' in opts) {
    return new Cluster(opts.cluster, {
      ...opts.clusterOptions,
      redisOptions: { ...opts.clusterOptions?.redisOptions, ...REQUIRED },
    });
  }
  return new Redis({ ...opts, ...REQUIRED });
}

/** True for errors that only say the connection is down (ioredis is already reconnecting). */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // A script's lost link arrives wrapped as SLC_ERR_CONNECTION: judge the original.
  if (code === 'SLC_ERR_CONNECTION') return isConnectionError((err as Error).cause);
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)
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
