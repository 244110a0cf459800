/**
 * The writing side of the outbox: `add` and `publish` insert one row into `<schema>.outbox`
 * through the caller's own client, inside the caller's transaction. The row — and so the job or
 * the stream entry — exists once that transaction commits, and never if it rolls back. The relay
 * ({@link Relay}) moves committed rows to Redis.
 */
import { PayloadError, ValidationError, type AddOptions } from '../index.js';
import { checkSchema, sql, type SqlClient } from './sql.js';

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** Schema of the outbox tables (see `migrate`); default `sluice`. */
  schema?: string;
}

/** What was written: the outbox row's id (the job id / idempotency key derive from it). */
export interface OutboxRow {
  rowId: string;
}

// Same rule as the library's queue and topic names (checked here too, so that a bad name fails
// in the caller's transaction rather than later in the relay).
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$/;
const ADD_KEYS = new Set([
  'id',
  'delay',
  'runAt',
  'priority',
  'meta',
  'maxAttempts',
  'backoff',
  'dedupKey',
  'dedupTtlMs',
  'dedupWindowMs',
]);

/**
 * Enqueue jobs and publish stream entries in your PostgreSQL transaction.
 * @example
 * ```ts
 * const outbox = new Outbox();
 * const tx = await pool.connect();
 * await tx.query('BEGIN');
 * await tx.query('INSERT INTO messages (id, body) VALUES ($1, $2)', [id, body]);
 * await outbox.add(tx, 'sms', 'send', { id }, { meta: { entityId: phone } });
 * await outbox.publish(tx, `conv:${convId}`, { id, body });
 * await tx.query('COMMIT'); // now (and only now) the relay will deliver both
 * ```
 */
export class Outbox {
  /** The schema the rows go to. */
  readonly schema: string;

  constructor(options: OutboxOptions = {}) {
    this.schema = checkSchema(options.schema);
  }

  /**
   * Writes a job for `queue` (as `queue.add(name, data, opts)` would, once delivered). Without an
   * `id` in `opts` the job's id is derived from the row (`ob-<token>-<rowId>`), which is what
   * makes a re-delivery after a relay crash a no-op.
   */
  async add(
    tx: SqlClient,
    queue: string,
    name: string,
    data: unknown,
    opts: AddOptions = {},
  ): Promise<OutboxRow> {
    const problems = nameProblems('queue', queue);
    if (typeof name !== 'string') problems.push('job name must be a string');
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
      problems.push('options must be an object');
    else
      for (const k of Object.keys(opts))
        if (!ADD_KEYS.has(k)) problems.push(`unknown option ${JSON.stringify(k)}`);
    if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
    return this.insert(tx, 'job', queue, name, data, opts);
  }

  /**
   * Writes an entry for `topic` (as `topic.publish(data)` would, once delivered). Without an
   * `idempotencyKey` the key is derived from the row, as for `add`.
   */
  async publish(
    tx: SqlClient,
    topic: string,
    data: unknown,
    opts: { idempotencyKey?: string } = {},
  ): Promise<OutboxRow> {
    const problems = nameProblems('topic', topic);
    for (const k of Object.keys(opts ?? {}))
      if (k !== 'idempotencyKey') problems.push(`unknown option ${JSON.stringify(k)}`);
    if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
    return this.insert(tx, 'entry', topic, '', data, opts);
  }

  private async insert(
    tx: SqlClient,
    kind: 'job' | 'entry',
    target: string,
    name: string,
    data: unknown,
    opts: object,
  ): Promise<OutboxRow> {
    // JSON text, not the object: `pg` would turn a top-level array into a PostgreSQL array.
    const rows = await sql(
      tx,
      `INSERT INTO ${this.schema}.outbox (kind, target, name, data, opts)
       VALUES ($1, $2, $3, $4::json, $5::json) RETURNING id`,
      [kind, target, name, json(data), json(opts)],
    );
    return { rowId: String(rows[0]!.id) };
  }
}

function nameProblems(kind: string, name: unknown): string[] {
  return typeof name === 'string' && NAME_RE.test(name)
    ? []
    : [`${kind} name ${JSON.stringify(name)} must be 1–128 letters, digits and _ . : -`];
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    throw new PayloadError(
      'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
      `data or options are not JSON-serialisable: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
