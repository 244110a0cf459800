/**
 * The archiver: copies finished jobs (completed and failed) of some queues into
 * `<schema>.job_archive` before Redis retention removes them. It reads each queue's `completed`
 * and `failed` sets through the public API (`getJobs`, newest first) down to the newest job it
 * archived before, and upserts each page by (queue, id) — so a repeat, a crash or two archivers
 * at once only rewrite the same rows.
 *
 * The rule that keeps it complete: every finished job must be read before retention removes it,
 * so run it more often than the queue's `keepCompleted`/`keepFailed` age, and — with retention
 * by count — before that many more jobs finish. See docs/outbox.md.
 */
import { ValidationError, type Job, type Queue } from '../index.js';
import { checkSchema, sql, type SqlPool } from './sql.js';

/** Options of {@link Archiver}. */
export interface ArchiverOptions {
  pool: SqlPool;
  /** The queues to archive (your handles; the archiver does not close them). */
  queues: Queue[];
  /** Schema of the archive table; default `sluice`. */
  schema?: string;
  /** Time between passes, ms; default 60,000. Keep it well under the queues' retention age. */
  intervalMs?: number;
  /** Jobs read per `getJobs` page and upserted per statement; default 200. */
  pageSize?: number;
}

const STATES = ['completed', 'failed'] as const;

/**
 * @example
 * ```ts
 * const archiver = new Archiver({ pool, queues: [sms], intervalMs: 60_000 });
 * archiver.start(); // or: await archiver.runOnce();
 * ```
 */
export class Archiver {
  private readonly schema: string;
  private readonly intervalMs: number;
  private readonly pageSize: number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  /** Totals since start; `errors` counts failed passes (retried at the next interval). */
  readonly stats = { archived: 0, passes: 0, errors: 0 };
  /** The last failure, if the last pass failed. */
  lastError: unknown;

  constructor(private readonly options: ArchiverOptions) {
    this.schema = checkSchema(options.schema);
    this.intervalMs = options.intervalMs ?? 60_000;
    this.pageSize = options.pageSize ?? 200;
    const problems = [
      ...(Number.isInteger(this.intervalMs) && this.intervalMs >= 1 && this.intervalMs <= 86_400_000
        ? []
        : ['intervalMs must be an integer 1–86400000']),
      ...(Number.isInteger(this.pageSize) && this.pageSize >= 1 && this.pageSize <= 1000
        ? []
        : ['pageSize must be an integer 1–1000']),
    ];
    if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.pass = this.runOnce()
        .then(() => (this.lastError = undefined))
        .catch((err: unknown) => {
          this.stats.errors++;
          this.lastError = err;
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** One pass over every queue and state; resolves with the jobs written. */
  async runOnce(): Promise<number> {
    let written = 0;
    for (const queue of this.options.queues)
      for (const state of STATES) written += await this.archiveState(queue, state);
    this.stats.archived += written;
    this.stats.passes++;
    return written;
  }

  private async archiveState(queue: Queue, state: 'completed' | 'failed'): Promise<number> {
    const [w] = await sql(
      this.options.pool,
      `SELECT (EXTRACT(EPOCH FROM max(finished_at)) * 1000)::float8 AS ms
       FROM ${this.schema}.job_archive WHERE queue = $1 AND state = $2`,
      [queue.name, state],
    );
    // Jobs finished in the same ms as the watermark are read again (upserts make that harmless).
    const watermark = w?.ms == null ? -Infinity : Number(w.ms);
    let written = 0;
    for (let offset = 0; ; offset += this.pageSize) {
      const { jobs } = await queue.getJobs(state, { offset, limit: this.pageSize });
      const fresh = jobs.filter((j) => (j.timestamp ?? 0) >= watermark);
      if (fresh.length) written += await this.upsert(queue.name, state, fresh);
      // Newest first: once a page reaches the watermark, everything older is archived already.
      if (jobs.length < this.pageSize || fresh.length < jobs.length) return written;
    }
  }

  private async upsert(queue: string, state: string, jobs: Job[]): Promise<number> {
    const rows = jobs.map((j) => ({
      id: j.id,
      name: j.name,
      data: j.data ?? null,
      result: j.returnValue ?? null,
      meta: j.meta,
      entity: typeof j.meta.entityId === 'string' ? j.meta.entityId : null,
      // attemptsMade counts the attempts that ended, a completed job's successful one included
      attempts: j.attemptsMade,
      error: j.failedReason ?? j.history.at(-1)?.error ?? null,
      history: j.history,
      created: j.createdAt,
      finished: j.timestamp ?? j.createdAt,
    }));
    await sql(
      this.options.pool,
      `INSERT INTO ${this.schema}.job_archive AS a
         (queue, id, state, name, data, result, meta, entity_id, attempts, last_error, history,
          created_at, finished_at)
       SELECT $1, r.id, $2, r.name, r.data, r.result, r.meta, r.entity, r.attempts, r.error,
              r.history, to_timestamp(r.created / 1000.0), to_timestamp(r.finished / 1000.0)
       FROM json_to_recordset($3::json) AS r(id text, name text, data json, result json,
         meta jsonb, entity text, attempts int, error text, history json, created float8,
         finished float8)
       ON CONFLICT (queue, id) DO UPDATE SET state = excluded.state, result = excluded.result,
         attempts = excluded.attempts, last_error = excluded.last_error,
         history = excluded.history, finished_at = excluded.finished_at, archived_at = now()`,
      [queue, state, JSON.stringify(rows)],
    );
    return rows.length;
  }
}
