/**
 * The schema, shipped as numbered `.sql` files next to this module (`migrations/NNN_name.sql`)
 * and applied by {@link migrate}: in one transaction, under an advisory lock (two processes
 * starting at once apply each file once), recorded in `<schema>.schema_migrations`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { SluiceError } from '../index.js';
import { LOCK_CLASS, checkSchema, sql, toDatabaseError, type SqlPool } from './sql.js';

const DIR = new URL('./migrations/', import.meta.url);

interface Migration {
  version: number;
  name: string;
  text: string;
}

/** The migrations this package ships, in order. */
export function migrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 3)),
      name: f.slice(4, -4),
      text: readFileSync(new URL(f, DIR), 'utf8'),
    }));
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The schema version now (the highest applied migration). */
  version: number;
  /** Names of the migrations applied by this call (`[]` when already up to date). */
  applied: string[];
}

/**
 * Creates or upgrades the outbox and archive tables in `schema` (default `sluice`). Safe to call
 * at every start and from several processes at once. Fails with `SLC_ERR_SCHEMA_VERSION` when
 * the database was migrated by a newer Sluice than this one.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate } from 'sluice/outbox';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool); // { version: 2, applied: ['outbox', 'archive'] } the first time
 * ```
 */
export async function migrate(
  pool: SqlPool,
  options: { schema?: string } = {},
): Promise<MigrateResult> {
  const schema = checkSchema(options.schema);
  const all = migrations();
  const client = await pool.connect().catch((err: unknown) => {
    throw toDatabaseError(err);
  });
  let failed: unknown;
  try {
    await sql(client, 'BEGIN');
    // Before CREATE SCHEMA: two first-time migrations would otherwise race on the catalog.
    await sql(client, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCK_CLASS,
      `migrate:${schema}`,
    ]);
    await sql(client, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await sql(client, `SET LOCAL search_path TO ${schema}`);
    await sql(
      client,
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await sql(client, 'SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
    );
    const newest = all.at(-1)?.version ?? 0;
    const ahead = [...done].filter((v) => v > newest);
    if (ahead.length)
      throw new SluiceError(
        'SLC_ERR_SCHEMA_VERSION',
        `schema ${schema} is at version ${Math.max(...ahead)}, newer than this Sluice knows (${newest})`,
      );
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await sql(client, m.text);
      await sql(client, 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.name);
    }
    await sql(client, 'COMMIT');
    return { version: newest, applied };
  } catch (err) {
    failed = err;
    await client.query('ROLLBACK').catch(() => {});
    throw toDatabaseError(err);
  } finally {
    client.release(failed !== undefined); // a failed session is closed, not reused
  }
}
