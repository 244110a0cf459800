/**
 * The relay: moves committed outbox rows to Redis, stream by stream, in row order, and deletes
 * them. Run one or several (in the server, or alone): each stream is worked by one relay at a
 * time (a per-stream advisory lock), different streams by whichever relay gets there first.
 */
import { EventEmitter } from 'node:events';
import {
  Queue,
  SluiceError,
  Streams,
  ValidationError,
  type ConnectionOptions,
  type TopicOptions,
} from '../index.js';
import {
  deliverStream,
  waitingStreams,
  type DeliveredBatch,
  type RelayQueue,
  type RelayTopic,
  type StepContext,
} from './deliver.js';
import { checkSchema, sql, toDatabaseError, type SqlPool } from './sql.js';
import { Wake } from './wake.js';

/** Options of {@link Relay}. */
export interface RelayOptions {
  /** PostgreSQL: the relay takes one session to LISTEN and one per step. */
  pool: SqlPool;
  /** Redis, for the queues and topics the relay opens itself. */
  connection?: ConnectionOptions;
  /** Key prefix of those queues and topics (the library's default when unset). */
  prefix?: string;
  /** Schema of the outbox tables; default `sluice`. */
  schema?: string;
  /** Rows per stream per transaction (1–10,000); default 500. */
  batchSize?: number;
  /** Longest wait between two looks at the table when no notification comes, ms; default 1,000. */
  pollMs?: number;
  /** LISTEN for the insert trigger's notifications (default true); false: poll only. */
  listen?: boolean;
  /** Options of each topic the relay publishes to (retention, feed, idempotency window). */
  topicOptions?: (topic: string) => TopicOptions;
  /** Your own topic handles (e.g. to publish into a feed of your Streams); overrides the above. */
  topic?: (name: string) => RelayTopic;
  /** Your own queue handles; the relay closes only the ones it opened. */
  queue?: (name: string) => RelayQueue;
}

/** Events of a {@link Relay}. */
export interface RelayEvents {
  /** One step committed. */
  delivered: [batch: DeliveredBatch];
  /** A step failed (Redis or PostgreSQL unreachable...); its rows stay and are tried again. */
  error: [err: SluiceError];
}

/** How far the relay is behind. */
export interface OutboxLag {
  /** Committed rows not yet handed to Redis. */
  rows: number;
  /** Age of the oldest such row, seconds (0 when there is none). */
  oldestSeconds: number;
}

/**
 * Moves committed outbox rows to Redis. Exactly once as the queue or topic sees it: a row is
 * deleted in the transaction that delivered it, and a re-send after a crash reuses the row's job
 * id or idempotency key (see docs/outbox.md for the limits).
 * @example
 * ```ts
 * const relay = new Relay({ pool, connection: 'redis://127.0.0.1:6379' });
 * relay.on('error', (err) => log.warn(err));
 * relay.start();
 * // metrics: const { rows, oldestSeconds } = await relay.lag();
 * await relay.stop();
 * ```
 */
export class Relay extends EventEmitter<RelayEvents> {
  /** Totals since start. */
  readonly stats = { delivered: 0, repeated: 0, dead: 0, steps: 0, errors: 0 };
  private readonly schema: string;
  private readonly pool: SqlPool;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private wake: Wake;
  private readonly queues = new Map<string, Queue>();
  private streams: Streams | undefined;
  private ctx: StepContext | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: RelayOptions) {
    super();
    this.schema = checkSchema(options.schema);
    this.pool = options.pool;
    this.batchSize = bounded('batchSize', options.batchSize ?? 500, 1, 10_000);
    this.pollMs = bounded('pollMs', options.pollMs ?? 1000, 1, 3_600_000);
    this.wake = this.newWake();
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running) return;
    if (this.wake.closed) this.wake = this.newWake();
    this.stopping = false;
    this.running ??= this.loop();
  }

  /** Stops after the step in progress (its transaction commits or rolls back) and closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.interrupt();
    await this.running;
    this.running = undefined;
    await this.wake.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    await this.streams?.close();
    this.streams = undefined;
  }

  /**
   * One pass: one step for each stream with rows waiting. Resolves with the rows moved. `start`
   * runs this in a loop; call it yourself to drive the relay by hand.
   */
  async runOnce(): Promise<number> {
    const ctx = await this.context();
    let moved = 0;
    for (const s of await waitingStreams(this.pool, this.schema, 1000)) {
      const batch = await deliverStream(ctx, s.kind, s.target);
      if (!batch) continue; // another relay is on it
      this.stats.steps++;
      this.stats.delivered += batch.rows - batch.dead;
      this.stats.repeated += batch.repeated;
      this.stats.dead += batch.dead;
      moved += batch.rows;
      this.emit('delivered', batch);
      if (this.stopping) break;
    }
    return moved;
  }

  /** Rows waiting and the age of the oldest (for `/metrics`). One query on the outbox table. */
  async lag(): Promise<OutboxLag> {
    const [r] = await sql(
      this.pool,
      `SELECT count(*)::int AS rows,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
       FROM ${this.schema}.outbox`,
    );
    return { rows: Number(r?.rows ?? 0), oldestSeconds: Math.max(0, Number(r?.oldest ?? 0)) };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let moved = 0;
      try {
        moved = await this.runOnce();
      } catch (err) {
        this.stats.errors++;
        if (this.listenerCount('error') > 0) this.emit('error', toDatabaseError(err));
      }
      if (this.stopping) break;
      // A full batch means more may be waiting: go again at once; otherwise sleep until woken.
      if (moved < this.batchSize) await this.wake.wait(this.pollMs);
    }
  }

  private newWake(): Wake {
    return new Wake(this.pool, `${this.schema}.outbox`, this.options.listen !== false);
  }

  private async context(): Promise<StepContext> {
    if (this.ctx) return this.ctx;
    const [row] = await sql(this.pool, `SELECT token FROM ${this.schema}.outbox_instance LIMIT 1`);
    if (typeof row?.token !== 'string')
      throw new SluiceError(
        'SLC_ERR_DATABASE',
        `${this.schema}.outbox_instance is empty: run migrate()`,
      );
    const o = this.options;
    this.ctx = {
      pool: this.pool,
      schema: this.schema,
      token: row.token,
      batchSize: this.batchSize,
      queue: o.queue ?? ((name) => this.ownQueue(name)),
      topic: o.topic ?? ((name) => this.ownStreams().topic(name, o.topicOptions?.(name))),
    };
    return this.ctx;
  }

  private ownQueue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, this.redisOptions());
      this.queues.set(name, q);
    }
    return q;
  }

  private ownStreams(): Streams {
    this.streams ??= new Streams(this.redisOptions());
    return this.streams;
  }

  private redisOptions(): { connection?: ConnectionOptions; prefix?: string } {
    const { connection, prefix } = this.options;
    return {
      ...(connection !== undefined && { connection }),
      ...(prefix !== undefined && { prefix }),
    };
  }
}

function bounded(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${name} must be an integer ${min}–${max}`,
    ]);
  return v;
}
