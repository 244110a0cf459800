/**
 * The base of {@link Queue}: its state and connection, adding jobs, its events, partitions and
 * closing. Reads are in `queue-reads.ts`, operator actions in `queue.ts` (one class, split by
 * responsibility; only `Queue` is public).
 */
import { EventEmitter } from 'node:events';
import { ClosedError, ValidationError } from '../errors.js';
import { openConnection, type ConnectionOptions } from '../redis/connection.js';
import {
  CommandConnection,
  toConnectionRetry,
  type ConnectionRetry,
} from '../redis/command-connection.js';
import { DEFAULT_PREFIX, queueKeys, queuePartitionKeys, type QueueKeys } from '../redis/keys.js';
import { RedisClock, timeSampler } from '../redis/clock.js';
import { WriteBatcher } from '../redis/write-batcher.js';
import { QueueCommands, type AddSpec } from './commands/commands.js';
import { isLeanAdd, isPlainAdd } from './commands/lifecycle.js';
import { PlainAddBatch } from './commands/plain-adds.js';
import { SHARED_CONNECTION, sharedConnection } from './shared-connection.js';
import { EventsReader } from './events/events-reader.js';
import { dispatchQueueEvent, JOB_EVENTS, type QueueEvents } from './events/queue-events.js';
import { confirmReplicated, type DurableOptions } from './durable.js';
import { bulkJobParts, bulkProblem, toAddSpec, type AddOptions, type BulkJob } from './options.js';
import { resolveQueueOptions } from './queue-options.js';
import { validateName } from '../validate.js';
import { NameRegistration } from '../registry.js';
import { ScheduleCommands } from './schedules/schedule-commands.js';
import {
  PARTITION,
  partitionSlot,
  resolvePartitionCount,
  type PartitionSlot,
} from './partitions/partition-layout.js';
import { QueuePartitions } from './partitions/partitioned-queue.js';
import type { Queue } from './queue.js';

/** Options shared by Queue and Worker. */
export interface QueueBaseOptions {
  /** How to reach Redis; default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  connection?: ConnectionOptions;
  /** Key prefix; default `sluice`. */
  prefix?: string;
  /**
   * How calls ride out a short loss of Redis (as `retry` of Streams): while Redis is unreachable
   * a call waits and retries with back-off, then fails with `SLC_ERR_CONNECTION` (about 16 s by
   * default). See docs/guarantees.md for what a call that failed so may have done.
   */
  connectionRetry?: ConnectionRetry;
}

export interface QueueOptions extends QueueBaseOptions {
  /** Largest accepted payload, in bytes of JSON (at most 512 MiB); default 512 KiB. */
  maxPayloadBytes?: number;
  /**
   * Wait for replicas before `add` / `addBulk` resolve (Redis `WAIT` after the add, on the same
   * connection), so an acknowledged job survives a fail-over to a replica. Fewer confirmations
   * in time reject with `SLC_ERR_NOT_REPLICATED`. Not on Redis Cluster. See docs/operations.md.
   */
  durable?: DurableOptions;
  /**
   * Spread the queue over this many partitions (1–256), each in a hash slot of its own, so it
   * scales over a Cluster's shards. Stored at first use; a different count later is refused.
   * Default: the stored count, or 1. See docs/operations.md#partitions.
   */
  partitions?: number;
}

/** What `add` returns: the job's id, and whether this call created it. */
export interface AddedJob {
  id: string;
  /** False when a job with the given id already existed (nothing was added). */
  created: boolean;
}

/** Jobs per script call of a bulk step. */
export const BULK_CHUNK = 1000;

/** @internal */
export abstract class QueueCore<
  Data = unknown,
  Result = unknown,
> extends EventEmitter<QueueEvents> {
  readonly name: string;
  readonly prefix: string;
  /** @internal */
  readonly keys: QueueKeys;
  protected readonly conn: CommandConnection;
  /** False when the connection is borrowed (from {@link Queues} or the outer partitioned queue). */
  protected readonly ownsConnection: boolean;
  protected readonly commands: QueueCommands;
  protected readonly clock: RedisClock;
  protected readonly writes: WriteBatcher;
  /** This turn's plain single adds, sent as one call (see `plain-adds.ts`). */
  protected readonly plainAdds: PlainAddBatch;
  protected readonly maxPayloadBytes: number;
  protected readonly durable: Required<DurableOptions> | undefined;
  protected readonly connection: ConnectionOptions | undefined;
  protected events: EventsReader | undefined;
  protected eventsReady: Promise<void> | undefined;
  /** Adds the name to the registry before this handle's first write (see src/registry.ts). */
  protected readonly registration: NameRegistration;
  protected closed = false;
  protected schedCmds: ScheduleCommands | undefined;
  /** Set on the inner queue of one partition (then this handle is a plain queue). */
  protected readonly slot: PartitionSlot | undefined;
  protected readonly options: QueueOptions;
  protected layout: Promise<QueuePartitions<Data, Result> | undefined> | undefined;
  protected wantedPartitions: number | undefined;
  /** Known to be a plain (not partitioned) queue: adds skip the layout look-up. */
  protected plain: boolean;
  /** The queue's name is in the registry (the first write put it there). */
  protected registered = false;

  /** `options` may be just a connection URL. */
  constructor(name: string, options: QueueOptions | string = {}) {
    super();
    if (typeof options === 'string') options = { connection: options };
    this.name = validateName('queue', name);
    const settings = resolveQueueOptions(options);
    this.prefix = settings.prefix ?? DEFAULT_PREFIX;
    this.maxPayloadBytes = settings.maxPayloadBytes;
    this.slot = partitionSlot(options);
    this.plain = this.slot !== undefined;
    this.options = options;
    this.wantedPartitions = settings.partitions;
    this.keys = this.slot
      ? queuePartitionKeys(this.prefix, name, this.slot.index)
      : queueKeys(this.prefix, name);
    const retry = toConnectionRetry(options.connectionRetry, 'connectionRetry');
    this.connection = settings.connection;
    const borrowed = sharedConnection(options);
    this.ownsConnection = borrowed === undefined;
    this.conn =
      borrowed ??
      new CommandConnection(options.connection, undefined, retry, `queue ${name}`, (err) =>
        this.reportError(err),
      );
    this.durable = settings.durable;
    if (this.durable && this.conn.client.isCluster) {
      if (this.ownsConnection) void this.conn.close();
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        'durable is not supported on Redis Cluster (WAIT would reach a random node)',
      ]);
    }
    this.commands = new QueueCommands(this.conn, this.keys);
    this.clock = new RedisClock(timeSampler(this.conn));
    this.writes = WriteBatcher.of(this.conn.client);
    this.plainAdds = new PlainAddBatch(this.conn, (bodies, now) => {
      this.writes.batch();
      return this.commands.addPlainFirst(bodies, now);
    });
    this.registration = new NameRegistration((key, n) => this.conn.run((c) => c.sadd(key, n)));
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (typeof event === 'string' && JOB_EVENTS.has(event))
        this.parted().then(
          (p) => (p ? p.forward(this, JOB_EVENTS) : this.listenToJobEvents()),
          (err: unknown) => this.reportError(err),
        );
    });
  }

  protected listenToJobEvents(): void {
    if (this.events || this.closed) return;
    const reader = new EventsReader(
      openConnection(this.connection, (err) => this.reportError(err)),
      this.keys,
      (e) => dispatchQueueEvent(this, e),
      (err) => this.reportError(err),
    );
    this.events = reader;
    this.eventsReady = reader.start();
    this.eventsReady.then(
      () => this.emit('ready'),
      (err: unknown) => this.reportError(err),
    );
  }

  protected reportError(err: unknown): void {
    if (this.listenerCount('error') > 0)
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * Adds a job. Resolves once the job is stored in Redis.
   * @example
   * ```ts
   * const { id } = await queue.add('sync', { noteId: 7 }, { id: 'note-7-v3', priority: 'high' });
   * ```
   */
  async add(name: string, data: Data, opts?: AddOptions): Promise<AddedJob> {
    this.assertOpen();
    // Hot path: once the layout is known plain, the name registered and the clock calibrated,
    // an add awaits only its one script call: `add_plain` for plain jobs (this turn's, held
    // for one call), `add_one` for one without de-dup key, entity or group, the full `add`
    // otherwise.
    if (!this.plain) {
      const parts = await this.parted();
      if (parts) return parts.add(name, data, opts);
    }
    const spec = toAddSpec(name, data, opts, this.maxPayloadBytes);
    if (!this.registered) await this.register();
    const now = this.clock.peek() ?? (await this.clock.now());
    if (isPlainAdd(spec)) {
      if (!this.durable) return this.plainAdds.add(spec.body, now);
      const added = await this.plainAdds.add(spec.body, now);
      await confirmReplicated(this.conn, this.durable, [added.id]);
      return added;
    }
    this.writes.batch();
    const added = isLeanAdd(spec)
      ? await this.commands.addOne(spec, now)
      : (await this.commands.add([spec], now))[0]!;
    if (this.durable) await confirmReplicated(this.conn, this.durable, [added.id]);
    return added;
  }

  /**
   * Adds many jobs; each chunk of 1,000 is one atomic script call. Every job is validated before
   * any is sent, so one bad job fails the whole call and adds nothing.
   */
  async addBulk(jobs: readonly BulkJob<Data>[]): Promise<AddedJob[]> {
    this.assertOpen();
    bulkProblem(jobs);
    // By index, not `map`: a hole in the array is a job missing, not one to skip (the ids of
    // the jobs after it would be off by one). Checked before a partitioned queue splits them
    // up, so there too a bad job adds nothing.
    const specs: AddSpec[] = new Array<AddSpec>(jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const j = bulkJobParts(jobs[i], i);
      specs[i] = toAddSpec(j.name ?? '', j.data, j.opts, this.maxPayloadBytes);
    }
    const parts = await this.parted();
    if (parts) return parts.addBulk(jobs);
    if (!this.registered) await this.register();
    const out: AddedJob[] = [];
    for (let i = 0; i < specs.length; i += BULK_CHUNK) {
      const now = this.clock.peek() ?? (await this.clock.now());
      const part = specs.slice(i, i + BULK_CHUNK);
      // A chunk of plain jobs goes by `add_plain`: one value per job in, one id out.
      const chunk = part.every(isPlainAdd)
        ? await this.commands.addPlain(
            part.map((s) => s.body),
            now,
          )
        : await this.commands.add(part, now);
      await confirmReplicated(
        this.conn,
        this.durable,
        chunk.map((a) => a.id),
      );
      out.push(...chunk);
    }
    return out;
  }

  protected get schedCommands(): ScheduleCommands {
    return (this.schedCmds ??= new ScheduleCommands(this.conn, this.keys, this.prefix, this.name));
  }

  /** Closes the queue's connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await (await this.layout?.catch(() => undefined))?.close();
    await this.events?.stop();
    if (this.ownsConnection) await this.conn.close();
  }

  /**
   * The partitions of a partitioned queue, or undefined for a plain one: the stored count is
   * read (and checked against `partitions`) once per handle. Inner partition handles are plain.
   */
  protected parted(): Promise<QueuePartitions<Data, Result> | undefined> {
    if (this.slot) return Promise.resolve(undefined);
    this.layout ??= resolvePartitionCount(
      (op) => this.conn.run(op),
      this.prefix,
      this.name,
      this.wantedPartitions,
    ).then(
      (n) => {
        if (n <= 1) {
          this.plain = true;
          return undefined;
        }
        const inner = Array.from({ length: n }, (_, index) => {
          // The partitions share this handle's command connection: N partitions, one connection.
          const o = {
            ...this.options,
            partitions: undefined,
            [PARTITION]: { index },
            [SHARED_CONNECTION]: this.conn,
          };
          return this.partition(o);
        });
        return new QueuePartitions<Data, Result>(this.name, inner);
      },
      (err: unknown) => {
        this.layout = undefined; // a failed read (Redis away, a wrong count) is tried again
        throw err;
      },
    );
    return this.layout;
  }

  protected async register(): Promise<void> {
    await this.registration.ensure(this.prefix, 'queues', this.name);
    this.registered = true;
  }

  protected assertOpen(): void {
    if (this.closed) throw new ClosedError(`queue ${this.name}`);
  }

  /** A plain handle of one partition (made by the subclass: the public `Queue`). */
  protected abstract partition(options: QueueOptions): Queue<Data, Result>;
}
