/**
 * One relay step for one stream (a queue or a topic): in one PostgreSQL transaction, take the
 * stream's advisory lock (or give up: another relay has it), read its oldest rows in id order,
 * hand them to Redis, delete them, commit. A crash anywhere before the commit leaves the rows in
 * place; the next relay re-sends them under the same job ids / idempotency keys, which Redis
 * turns into no-ops. The per-stream lock is what keeps order with several relays: plain
 * `FOR UPDATE SKIP LOCKED` would let a second relay deliver rows 101–200 while the first is
 * still delivering rows 1–100 of the same queue.
 */
import { SluiceError, type AddedJob, type BulkJob, type Published } from '../index.js';
import { LOCK_CLASS, sql, toDatabaseError, type SqlClient, type SqlPool } from './sql.js';

export type Kind = 'job' | 'entry';

/** What one step moved. */
export interface DeliveredBatch {
  kind: Kind;
  /** The queue or topic. */
  target: string;
  /** Rows handed to Redis and deleted. */
  rows: number;
  /** Of those, how many Redis already had (a re-send after a crash: `created: false`/`duplicate`). */
  repeated: number;
  /** Rows the library refused (moved to `outbox_dead`). */
  dead: number;
}

interface Row {
  id: string;
  name: string;
  data: unknown;
  opts: Record<string, unknown>;
}

/** What the relay needs of a queue handle (a `Queue` of any data type). */
export interface RelayQueue {
  addBulk(jobs: readonly BulkJob<unknown>[]): Promise<AddedJob[]>;
}

/** What the relay needs of a topic handle (a `Topic` of any data type). */
export interface RelayTopic {
  publishBulk(items: readonly { data: unknown; idempotencyKey?: string }[]): Promise<Published[]>;
}

export interface StepContext {
  pool: SqlPool;
  schema: string;
  token: string;
  batchSize: number;
  queue(name: string): RelayQueue;
  topic(name: string): RelayTopic;
}

/** Codes that mean "this row can never be delivered", not "try again later". */
const REFUSED = new Set([
  'SLC_ERR_INVALID_NAME',
  'SLC_ERR_INVALID_OPTIONS',
  'SLC_ERR_PAYLOAD_NOT_SERIALISABLE',
  'SLC_ERR_PAYLOAD_TOO_LARGE',
]);

/** Delivers up to `batchSize` rows of one stream; `undefined` when another relay holds it. */
export async function deliverStream(
  ctx: StepContext,
  kind: Kind,
  target: string,
): Promise<DeliveredBatch | undefined> {
  const client = await ctx.pool.connect().catch((err: unknown) => {
    throw toDatabaseError(err);
  });
  let broken = false;
  try {
    await sql(client, 'BEGIN');
    const [lock] = await sql(client, 'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [
      LOCK_CLASS,
      `${ctx.schema}:${kind}:${target}`,
    ]);
    if (lock?.ok !== true) {
      await sql(client, 'ROLLBACK');
      return undefined;
    }
    // FOR UPDATE (not SKIP LOCKED): a row someone else locks delays the stream, never reorders it.
    const rows = (await sql(
      client,
      `SELECT o.id::text AS id, o.name, o.data, o.opts FROM ${ctx.schema}.outbox o
       WHERE o.kind = $1 AND o.target = $2 ORDER BY o.id LIMIT $3 FOR UPDATE`,
      [kind, target, ctx.batchSize],
    )) as unknown as Row[];
    const batch: DeliveredBatch = { kind, target, rows: rows.length, repeated: 0, dead: 0 };
    if (rows.length) {
      try {
        batch.repeated = await send(ctx, kind, target, rows);
      } catch (err) {
        if (!(err instanceof SluiceError && REFUSED.has(err.code))) throw err;
        // One row is bad and the bulk call refused them all: go one by one, in order.
        batch.repeated = 0;
        for (const row of rows) {
          try {
            batch.repeated += await send(ctx, kind, target, [row]);
          } catch (one) {
            if (!(one instanceof SluiceError && REFUSED.has(one.code))) throw one;
            await sql(
              client,
              `INSERT INTO ${ctx.schema}.outbox_dead (id, kind, target, name, data, opts, created_at, error)
               SELECT id, kind, target, name, data, opts, created_at, $2 FROM ${ctx.schema}.outbox
               WHERE id = $1 ON CONFLICT (id) DO NOTHING`,
              [row.id, `${one.code}: ${one.message}`],
            );
            batch.dead++;
          }
        }
      }
      await sql(client, `DELETE FROM ${ctx.schema}.outbox WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
    }
    await sql(client, 'COMMIT');
    return batch;
  } catch (err) {
    broken = true;
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Hands rows to Redis; resolves with how many Redis had already. */
async function send(ctx: StepContext, kind: Kind, target: string, rows: Row[]): Promise<number> {
  const derived = (r: Row) => `ob-${ctx.token}-${r.id}`;
  if (kind === 'job') {
    const added = await ctx.queue(target).addBulk(
      rows.map((r) => ({
        name: r.name,
        data: r.data,
        opts: { ...r.opts, id: typeof r.opts.id === 'string' ? r.opts.id : derived(r) },
      })),
    );
    return added.filter((a) => !a.created).length;
  }
  const published = await ctx.topic(target).publishBulk(
    rows.map((r) => ({
      data: r.data,
      idempotencyKey:
        typeof r.opts.idempotencyKey === 'string' ? r.opts.idempotencyKey : derived(r),
    })),
  );
  return published.filter((p) => p.duplicate).length;
}

/** The streams with rows waiting, those with the oldest rows first. */
export async function waitingStreams(
  pool: SqlClient,
  schema: string,
  scan: number,
): Promise<{ kind: Kind; target: string }[]> {
  const rows = await sql(
    pool,
    `SELECT kind, target FROM (SELECT kind, target, id FROM ${schema}.outbox ORDER BY id LIMIT $1) s
     GROUP BY kind, target ORDER BY min(id)`,
    [scan],
  );
  return rows as unknown as { kind: Kind; target: string }[];
}
