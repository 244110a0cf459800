/**
 * ConsumerGroup: a named group of consumers working through a topic (or every partition of a
 * feed) together. Each entry goes to one consumer, is acked after its handler succeeds, is
 * reclaimed from a consumer that went quiet for `claimIdleMs`, and after `maxDeliveries`
 * unsuccessful deliveries moves to the group's dead-letter stream with its last error.
 *
 * @example
 * ```ts
 * const notify = feed.group('notify');
 * const consumer = notify.process(async (entry) => push(entry.data), {
 *   consumer: 'api-1', concurrency: 20, claimIdleMs: 30_000, maxDeliveries: 5,
 * });
 * console.log(await notify.stats()); // { lag, pending, oldestPendingAgeMs, consumers, … }
 * await consumer.close();
 * ```
 */
import { hostname } from 'node:os';
import { shown } from '../validate.js';
import { GroupNotFoundError } from '../errors.js';
import { GroupCommands, type RawGroupStats } from './group-commands.js';
import { GroupProcessor, type GroupHandler, type ProcessorSettings } from './group-processor.js';
import type { Hub } from './hub.js';
import {
  KEYS,
  MAX_PAGE_SIZE,
  assertNoProblems,
  optionProblems,
  optionsOf,
  validateMemberName,
} from './options.js';
import { formatPosition, idTime, newEpoch, type Position } from './position.js';
import type { Topic } from './topic.js';

/** Options of a consumer group handle (`topic.group()`, `feed.group()`). */
export interface GroupOptions {
  /**
   * Where a group created now starts: `'beginning'` (default; every entry still kept) or
   * `'end'` (only entries published from now on).
   */
  startAt?: 'beginning' | 'end';
}

/** Options of one consumer (`group.process()`). */
export interface ProcessOptions {
  /**
   * This consumer's name, stable across restarts: a consumer restarting under its old name
   * takes back its own pending entries at once. Give each process its own. Default: hostname.
   */
  consumer?: string;
  /** Entries handled at once; default 1. */
  concurrency?: number;
  /** An entry pending this long (ms) on a quiet consumer is reclaimed; default 30,000. */
  claimIdleMs?: number;
  /** Deliveries before an entry is dead-lettered; default 5. */
  maxDeliveries?: number;
  /** Wait before a failed entry is delivered again (ms, < claimIdleMs); default 1,000. */
  retryDelayMs?: number;
  /** Longest single blocking read (ms); default 5,000. */
  blockMs?: number;
  /** How often idle entries are looked for (ms); default min(claimIdleMs / 2, 5,000). */
  reclaimIntervalMs?: number;
  /** How often held entries are kept alive (ms); default claimIdleMs / 3. */
  heartbeatMs?: number;
  /** Entries kept in the dead-letter stream; default 10,000. */
  deadLetterMaxLen?: number;
}

/** A consumer group's state, summed over the topic (or the feed's partitions). */
export interface GroupStats {
  /** The group's name. */
  group: string;
  /** Entries not yet delivered to any consumer. */
  lag: number;
  /** Entries delivered but not yet acked. */
  pending: number;
  /** Age (ms since it was published) of the oldest pending entry, or null if none. */
  oldestPendingAgeMs: number | null;
  /** Entries in the dead-letter stream. */
  deadLetters: number;
  /** Each consumer with its pending count and idle time (ms since it last read or acked). */
  consumers: { name: string; pending: number; idleMs: number }[];
}

/** An entry that was dead-lettered, with the error of its last delivery. */
export interface DeadLetter<T = unknown> {
  /** Id of the dead-letter entry (pass as `after` to page). */
  id: string;
  /** The original entry's position. */
  position: Position;
  /** The original entry's data. */
  data: T;
  /** The error of its last delivery (or why it was not acknowledged). */
  error: string;
  /** How many times it was delivered. */
  deliveries: number;
  /** The consumer of its last delivery. */
  consumer: string;
  /** When it was dead-lettered (ms, Redis clock). */
  time: number;
}

const LAG_CAP = 100_000;

/**
 * A consumer group of a topic or feed (see the file notes). Get one from `topic.group()` or
 * `feed.group()`; handles are cheap.
 *
 * @example
 * ```ts
 * const billing = orders.group('billing');
 * const consumer = billing.process(async (entry) => charge(entry.data), { consumer: 'api-1' });
 * const { lag, pending } = await billing.stats();
 * ```
 */
export class ConsumerGroup<T = unknown> {
  /** The group's name. */
  readonly name: string;
  private readonly commands: GroupCommands[];
  private readonly startAt: '0' | '$';

  /** @internal use `topic.group()` or `feed.group()` */
  constructor(
    private readonly hub: Hub,
    name: string,
    private readonly topics: Topic<T>[],
    opts: GroupOptions,
  ) {
    this.name = validateMemberName('group name', name);
    const { o, problems } = optionsOf(opts, 'group options', KEYS.group);
    if (o.startAt !== undefined && o.startAt !== 'beginning' && o.startAt !== 'end')
      problems.push(`startAt must be 'beginning' or 'end', got ${shown(o.startAt)}`);
    assertNoProblems(problems);
    this.commands = topics.map((t) => new GroupCommands(hub.conn, t.keys, this.name));
    this.startAt = o.startAt === 'end' ? '$' : '0';
  }

  /** Creates the group where it does not exist yet (idempotent). */
  async create(): Promise<void> {
    this.hub.assertOpen();
    for (const [i, c] of this.commands.entries())
      await c.create(this.startAt, newEpoch(), this.topics[i]!.publishSpec.retention.ttlMs);
  }

  /**
   * Starts a consumer of this group that runs `handler` on each entry it is given.
   * @example
   * ```ts
   * const p = group.process(async (entry, { deliveries }) => handle(entry.data), { concurrency: 5 });
   * p.on('dead-letter', (position, error) => log.warn({ position, error }));
   * ```
   */
  process(handler: GroupHandler<T>, options: ProcessOptions = {}): GroupProcessor<T> {
    this.hub.assertOpen();
    const { o: opts, problems } = optionsOf(options, 'process options', KEYS.process);
    const claimIdleMs = opts.claimIdleMs ?? 30_000;
    problems.push(
      ...optionProblems([
        ['concurrency', opts.concurrency, 'int>0'],
        ['claimIdleMs', opts.claimIdleMs, 'interval>0'],
        ['maxDeliveries', opts.maxDeliveries, 'int>0'],
        ['retryDelayMs', opts.retryDelayMs, 'interval>=0'],
        ['blockMs', opts.blockMs, 'interval>0'],
        ['reclaimIntervalMs', opts.reclaimIntervalMs, 'interval>0'],
        ['heartbeatMs', opts.heartbeatMs, 'interval>0'],
        ['deadLetterMaxLen', opts.deadLetterMaxLen, 'int>=0'],
      ]),
    );
    if (opts.retryDelayMs !== undefined && opts.retryDelayMs > claimIdleMs)
      problems.push('retryDelayMs must not exceed claimIdleMs');
    if (opts.heartbeatMs !== undefined && opts.heartbeatMs >= claimIdleMs)
      problems.push('heartbeatMs must be below claimIdleMs');
    if (typeof handler !== 'function') problems.push('handler must be a function');
    assertNoProblems(problems);
    const settings: ProcessorSettings = {
      consumer: validateMemberName('consumer name', opts.consumer ?? defaultConsumerName()),
      concurrency: opts.concurrency ?? 1,
      claimIdleMs,
      maxDeliveries: opts.maxDeliveries ?? 5,
      retryDelayMs: opts.retryDelayMs ?? Math.min(1000, claimIdleMs),
      blockMs: opts.blockMs ?? 5000,
      reclaimIntervalMs: opts.reclaimIntervalMs ?? Math.min(Math.floor(claimIdleMs / 2), 5000),
      heartbeatMs: opts.heartbeatMs ?? Math.max(1, Math.floor(claimIdleMs / 3)),
      deadLetterMaxLen: opts.deadLetterMaxLen ?? 10_000,
      startAt: this.startAt,
      ttlMs: this.topics[0]!.publishSpec.retention.ttlMs,
      topicNames: this.topics.map((t) => t.name),
    };
    const processor = new GroupProcessor<T>(this.hub, this.commands, handler, settings);
    this.hub.track(processor);
    return processor;
  }

  /** Lag, pending, oldest pending age, dead letters and consumers, read per topic in one step. */
  async stats(): Promise<GroupStats> {
    this.hub.assertOpen();
    const parts: RawGroupStats[] = [];
    for (const c of this.commands) {
      const s = await c.stats(LAG_CAP);
      if (s) parts.push(s);
    }
    if (parts.length === 0) throw new GroupNotFoundError(this.name, this.topics[0]!.name);
    const consumers = new Map<string, { name: string; pending: number; idleMs: number }>();
    let oldest: number | null = null;
    for (const p of parts) {
      if (p.oldestPendingId) {
        const age = Math.max(0, p.now - idTime(p.oldestPendingId));
        oldest = oldest === null ? age : Math.max(oldest, age);
      }
      for (const c of p.consumers) {
        const seen = consumers.get(c.name);
        if (!seen) consumers.set(c.name, { ...c });
        else {
          seen.pending += c.pending;
          seen.idleMs = Math.min(seen.idleMs, c.idleMs);
        }
      }
    }
    return {
      group: this.name,
      lag: parts.reduce((n, p) => n + p.lag, 0),
      pending: parts.reduce((n, p) => n + p.pending, 0),
      oldestPendingAgeMs: oldest,
      deadLetters: parts.reduce((n, p) => n + p.deadLetters, 0),
      consumers: [...consumers.values()].sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /**
   * Removes a consumer from the group, but only if it owns nothing pending (anywhere).
   * Returns false when it owns pending entries (nothing is removed where it does).
   */
  async removeConsumer(consumer: string): Promise<boolean> {
    this.hub.assertOpen();
    validateMemberName('consumer name', consumer);
    let kept = false;
    for (const c of this.commands)
      if ((await c.removeConsumer(consumer)).status === -1) kept = true;
    return !kept;
  }

  /** Dead-lettered entries, oldest first (`after`: the `id` of the last one seen). */
  async deadLetters(opts: { after?: string; limit?: number } = {}): Promise<DeadLetter<T>[]> {
    this.hub.assertOpen();
    const { o, problems } = optionsOf(opts, 'deadLetters options', KEYS.deadLetters);
    const limit = o.limit ?? 100;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE))
      problems.push(`limit must be an integer 1–${MAX_PAGE_SIZE}`);
    if (
      o.after !== undefined &&
      (typeof o.after !== 'string' || !/^\d{1,20}-\d{1,20}$/.test(o.after))
    )
      problems.push(`after must be the id of a dead letter (<ms>-<seq>), got ${shown(o.after)}`);
    assertNoProblems(problems);
    const all: DeadLetter<T>[] = [];
    for (const c of this.commands)
      for (const row of await c.deadLetters(o.after ?? '0-0', limit))
        all.push({
          id: row.id,
          position: row.fields.p ?? formatPosition('0', '0-0'),
          data: JSON.parse(row.fields.d ?? 'null') as T,
          error: row.fields.e ?? '',
          deliveries: Number(row.fields.n ?? 0),
          consumer: row.fields.c ?? '',
          time: idTime(row.id),
        });
    return all.sort((a, b) => a.time - b.time).slice(0, limit);
  }

  /** Deletes the group, its pending list and its dead letters (the entries stay). */
  async destroy(): Promise<void> {
    this.hub.assertOpen();
    for (const c of this.commands) await c.destroy();
  }
}

/** The default consumer name: this host's name, made a valid name. */
export function defaultConsumerName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9_.@+=-]/g, '_')
    .slice(0, 128);
  return /^[A-Za-z0-9_]/.test(name) ? name : `c${name}`.slice(0, 128);
}
