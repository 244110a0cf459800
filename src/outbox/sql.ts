/**
 * What the outbox needs of PostgreSQL: a client with `query` (a `pg` Client, PoolClient or Pool,
 * or anything shaped like them), the schema its tables live in, and one error wrapper.
 */
import { SluiceError, ValidationError } from '../index.js';

/** A `pg`-style client: `pg.Client`, `pg.PoolClient` (inside your transaction) or `pg.Pool`. */
export interface SqlClient {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** A `pg.Pool`-style pool: the relay and the archiver take their own connections from it. */
export interface SqlPool extends SqlClient {
  connect(): Promise<SqlClient & { release(err?: Error | boolean): void }>;
}

/** The schema the outbox tables live in by default. */
export const DEFAULT_SCHEMA = 'sluice';

/** Checks a schema name (it is put into SQL text, so only a plain lower-case identifier). */
export function checkSchema(schema: unknown = DEFAULT_SCHEMA): string {
  if (typeof schema !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `schema must be a lower-case SQL identifier (a-z, 0-9, _; at most 63), got ${JSON.stringify(schema)}`,
    ]);
  return schema;
}

/** Runs a query; a PostgreSQL failure becomes `SLC_ERR_DATABASE` with the `pg` error as cause. */
export async function sql(
  client: SqlClient,
  text: string,
  values?: unknown[],
): Promise<Record<string, unknown>[]> {
  try {
    return (await client.query(text, values)).rows;
  } catch (err) {
    throw toDatabaseError(err);
  }
}

export function toDatabaseError(err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SluiceError('SLC_ERR_DATABASE', `PostgreSQL: ${message}`, { cause: err });
}

/** An advisory-lock class id for Sluice's locks (the second key is a hash of the resource). */
export const LOCK_CLASS = 0x51c3;
