/**
 * Shared helpers of the outbox suites: one real PostgreSQL server per test file (started by the
 * harness), a fresh migrated database per test, a pool closed after it, and a Redis prefix no
 * other test uses.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { migrate } from '../../src/outbox/index.js';
import { PostgresServer } from '../harness/postgres.js';

export interface Db {
  pool: pg.Pool;
  url: string;
  /** Runs `fn` in a transaction on one session; commits unless `fn` throws (then rolls back). */
  tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

/** Starts PostgreSQL for this file; `db()` gives each test its own migrated database. */
export function usePostgres(): { db(): Promise<Db>; server(): PostgresServer } {
  let server: PostgresServer | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await PostgresServer.start();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    server: () => server!,
    async db() {
      const url = await server!.createDatabase(`t${randomBytes(5).toString('hex')}`);
      const pool = new pg.Pool({ connectionString: url, max: 20 });
      pool.on('error', () => {}); // a session killed under a test is the test's business
      closers.push(() => pool.end());
      await migrate(pool);
      return {
        pool,
        url,
        async tx(fn) {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const out = await fn(c);
            await c.query('COMMIT');
            return out;
          } catch (err) {
            await c.query('ROLLBACK');
            throw err;
          } finally {
            c.release();
          }
        },
      };
    },
  };
}

/** Rows still in the outbox. */
export async function outboxRows(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sluice.outbox');
  return rows[0]!.n;
}
