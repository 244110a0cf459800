/**
 * The server's PostgreSQL side, made only when `databaseUrl` is set: one `pg` pool, the job
 * archive over it, and (with `relay: true`) the outbox relay moving committed rows into Redis
 * under the server's prefix. It reaches `sluice/outbox` only through its public entry.
 */
import pg from 'pg';
import { Archive, Relay } from '../outbox/index.js';
import type { ServerConfig } from './config.js';

/** What the server holds of the database. */
export interface ServerOutbox {
  pool: pg.Pool;
  archive: Archive;
  /** Running while the server runs; absent unless `relay: true`. */
  relay?: Relay;
}

/** Opens the pool (lazily: no session until the first query) and starts the relay if asked. */
export function openOutbox(config: ServerConfig): ServerOutbox | undefined {
  if (config.databaseUrl === undefined) return undefined;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  // An idle session dropped by PostgreSQL: the pool replaces it; the next query reports.
  pool.on('error', () => {});
  const out: ServerOutbox = { pool, archive: new Archive(pool) };
  if (config.relay) {
    const relay = new Relay({ pool, connection: config.redisUrl, prefix: config.prefix });
    // A failed step keeps its rows and is retried; the lag gauges in /metrics show it.
    relay.on('error', () => {});
    relay.start();
    out.relay = relay;
  }
  return out;
}

/** Stops the relay, then ends the pool. */
export async function closeOutbox(outbox: ServerOutbox | undefined): Promise<void> {
  if (!outbox) return;
  await outbox.relay?.stop();
  await outbox.pool.end();
}
