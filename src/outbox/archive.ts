/**
 * Reading the job archive: one account's (entity's) messages of the last 90 days, or any slice
 * of a queue's finished jobs by time, newest first, paged by a cursor.
 */
import { ValidationError, type JobMeta } from '../index.js';
import { checkSchema, sql, type SqlClient } from './sql.js';

/** One archived job. */
export interface ArchivedJob {
  queue: string;
  id: string;
  state: 'completed' | 'failed';
  name: string;
  data: unknown;
  result: unknown;
  meta: JobMeta;
  /** Attempts run in all (the successful one included). */
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date;
}

/** What to list. */
export interface ArchiveQuery {
  queue: string;
  /** Only jobs whose `meta.entityId` is this (an account, a phone number). */
  entityId?: string;
  /** Only jobs whose meta contains these fields (JSON containment). */
  meta?: JobMeta;
  state?: 'completed' | 'failed';
  /** Finished at or after this; default 90 days ago. */
  since?: Date;
  /** Finished before this (exclusive). */
  until?: Date;
  /** At most this many (1–1,000); default 100. */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

/** A page, newest first; `next` is set when there may be more. */
export interface ArchivePage {
  jobs: ArchivedJob[];
  next?: string;
}

const DAY_MS = 86_400_000;

/**
 * @example
 * ```ts
 * const archive = new Archive(pool);
 * const { jobs } = await archive.list({ queue: 'sms', entityId: '+15550100' }); // last 90 days
 * ```
 */
export class Archive {
  private readonly schema: string;

  constructor(
    private readonly db: SqlClient,
    options: { schema?: string } = {},
  ) {
    this.schema = checkSchema(options.schema);
  }

  async list(q: ArchiveQuery): Promise<ArchivePage> {
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['limit must be an integer 1–1000']);
    const since = q.since ?? new Date(Date.now() - 90 * DAY_MS);
    // an Invalid Date would reach PostgreSQL as `NaN-…` and come back a database error
    for (const [name, d] of [
      ['since', since],
      ['until', q.until],
    ] as const)
      if (d !== undefined && !(d instanceof Date && Number.isFinite(d.getTime())))
        throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [`${name} must be a valid Date`]);
    const where = ['queue = $1', 'finished_at >= $2'];
    const values: unknown[] = [q.queue, since];
    const add = (clause: string, v: unknown) => {
      values.push(v);
      where.push(clause.replace('?', `$${values.length}`));
    };
    if (q.entityId !== undefined) add('entity_id = ?', q.entityId);
    if (q.meta !== undefined) add('meta @> ?::jsonb', JSON.stringify(q.meta));
    if (q.state !== undefined) add('state = ?', q.state);
    if (q.until !== undefined) add('finished_at < ?', q.until);
    if (q.after !== undefined) {
      const [ms, id] = decodeCursor(q.after);
      values.push(new Date(ms), id);
      where.push(`(finished_at, id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(limit + 1);
    const rows = await sql(
      this.db,
      `SELECT queue, id, state, name, data, result, meta, attempts, last_error, created_at,
              finished_at
       FROM ${this.schema}.job_archive WHERE ${where.join(' AND ')}
       ORDER BY finished_at DESC, id DESC LIMIT $${values.length}`,
      values,
    );
    const jobs = rows.slice(0, limit).map((r) => ({
      queue: r.queue as string,
      id: r.id as string,
      state: r.state as 'completed' | 'failed',
      name: r.name as string,
      data: r.data,
      result: r.result,
      meta: r.meta as JobMeta,
      attempts: r.attempts as number,
      lastError: r.last_error as string | null,
      createdAt: r.created_at as Date,
      finishedAt: r.finished_at as Date,
    }));
    const last = jobs.at(-1);
    return rows.length > limit && last
      ? { jobs, next: `${last.finishedAt.getTime()}.${last.id}` }
      : { jobs };
  }

  /** Deletes archived jobs finished before `before`; resolves with how many. */
  async prune(before: Date): Promise<number> {
    const rows = await sql(
      this.db,
      `WITH d AS (DELETE FROM ${this.schema}.job_archive WHERE finished_at < $1 RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [before],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

/** The latest time a JavaScript Date can hold, in ms. */
const MAX_DATE_MS = 8.64e15;

function decodeCursor(cursor: string): [number, string] {
  const dot = cursor.indexOf('.');
  const ms = Number(cursor.slice(0, dot));
  // a time a Date can hold (±8.64e15 ms), as list() wrote it
  if (dot < 1 || !Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['after is not a cursor from list()']);
  return [ms, cursor.slice(dot + 1)];
}
