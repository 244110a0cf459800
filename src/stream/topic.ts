/**
 * Topic: a durable, ordered event log (one Redis stream) with publish, history and live
 * subscribe. Get one from {@link Streams.topic}.
 *
 * @example
 * ```ts
 * const streams = new Streams({ connection: 'redis://127.0.0.1:6379' });
 * const run = streams.topic<{ node: string }>('run:42', { maxLen: 10_000, ttlMs: 3_600_000 });
 * const { position } = await run.publish({ node: 'fetch' }, { idempotencyKey: 'fetch#1' });
 * for await (const ev of run.subscribe({ after: savedPosition })) {
 *   if (ev.type === 'truncated') reload(); else render(ev.entry);
 * }
 * ```
 */
import { tracePublish } from '../telemetry.js';
import type { TopicKeys } from '../redis/keys.js';
import { isOptionsObject, serialisePayload, shown } from '../validate.js';
import { ValidationError } from '../errors.js';
import { registerTopic } from './topic-registry.js';
import { TopicCommands, type PublishSpec, type RawRange } from './commands.js';
import { ConsumerGroup, type GroupOptions } from './group.js';
import type { Hub } from './hub.js';
import {
  DEFAULT_MAX_BUFFERED,
  DEFAULT_PAGE_SIZE,
  KEYS,
  MAX_PAGE_SIZE,
  assertNoProblems,
  checkSubscribeOptions,
  optionsOf,
} from './options.js';
import {
  START,
  compareIds,
  formatPosition,
  idTime,
  newEpoch,
  parsePosition,
  type Position,
} from './position.js';
import { Subscription, type PageSource, type ParsedPage } from './subscription.js';
import type { Published, RangePage, StreamEntry, TopicInfo } from './types.js';

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /**
   * Resume after this position (`'0'`: from the oldest kept entry). Omitted: only entries
   * published from now on.
   */
  after?: Position;
  /** Ends the subscription when aborted. */
  signal?: AbortSignal;
  /** Entries per backlog read; default 200. */
  pageSize?: number;
  /** Live entries held for a slow consumer before it falls back to reading Redis; default 1,000. */
  maxBuffered?: number;
}

const BULK_CHUNK = 1000;

/**
 * A durable topic: publish, read its history, subscribe, and work through it in consumer groups.
 * Get one from `streams.topic()`; handles are cheap.
 *
 * @example
 * ```ts
 * const orders = streams.topic<Order>('orders', { maxLen: 100_000 });
 * const { position } = await orders.publish(order, { idempotencyKey: order.id });
 * const page = await orders.range({ after: position, limit: 50 });
 * for await (const ev of orders.subscribe({ after: position })) handle(ev);
 * ```
 */
export class Topic<T = unknown> {
  /** @internal */
  readonly commands: TopicCommands;
  /** How subscriptions read this topic: every read goes through the hub's coalescing. */
  private readonly source: PageSource;

  /** @internal use `streams.topic()` */
  constructor(
    private readonly hub: Hub,
    readonly name: string,
    /** @internal */
    readonly keys: TopicKeys,
    private readonly spec: PublishSpec,
    private readonly maxPayloadBytes: number,
  ) {
    this.commands = new TopicCommands(hub.conn, keys);
    const stream = keys.stream;
    this.source = {
      readSeq: () => hub.readSeq,
      readAfter: (id, epoch, limit, since) =>
        this.read(`after\n${stream}\n${id}\n${epoch}\n${limit}`, since, 'after', id, epoch, limit),
      readTail: (since) => this.read(`tail\n${stream}`, since, 'tail', '0-0', '', 0),
    };
  }

  /**
   * Appends one entry. With an `idempotencyKey` seen within the window, appends nothing and
   * returns the first position (`duplicate: true`). Retries while Redis is briefly unreachable.
   * @example
   * ```ts
   * const { position } = await topic.publish({ text: 'hi' }, { idempotencyKey: 'msg-81' });
   * ```
   */
  async publish(data: T, opts: { idempotencyKey?: string } = {}): Promise<Published> {
    this.hub.assertOpen();
    const { o, problems } = optionsOf(opts, 'publish options', KEYS.publish);
    assertNoProblems(problems);
    const key = checkKey(o.idempotencyKey, 0);
    const json = serialisePayload(data, this.maxPayloadBytes, 'data');
    await registerTopic(this.hub, this.name);
    const reply = await tracePublish(this.name, () =>
      this.commands.publish(this.spec, newEpoch(), [{ key, data: json }]),
    );
    const r = reply.results[0]!;
    return { position: formatPosition(reply.epoch, r.id), duplicate: r.duplicate };
  }

  /**
   * Appends many entries in order; each chunk of 1,000 is one atomic step. All are validated
   * before any is sent.
   */
  async publishBulk(items: readonly { data: T; idempotencyKey?: string }[]): Promise<Published[]> {
    this.hub.assertOpen();
    if (!Array.isArray(items))
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `publishBulk takes an array of { data, idempotencyKey? }, got ${shown(items)}`,
      ]);
    // Array.from, not map: a hole is an item missing (refused), not one to skip
    const entries = Array.from(items, (item: unknown, i) => {
      if (!isOptionsObject(item))
        throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
          `item ${i} must be an object { data, idempotencyKey? }, got ${shown(item)}`,
        ]);
      const { problems } = optionsOf(item, `item ${i}`, KEYS.bulkItem, `item ${i}: `);
      assertNoProblems(problems);
      return {
        key: checkKey(item.idempotencyKey as string | undefined, i),
        data: serialisePayload(item.data, this.maxPayloadBytes, `entry ${i} data`),
      };
    });
    await registerTopic(this.hub, this.name);
    const out: Published[] = [];
    for (let i = 0; i < entries.length; i += BULK_CHUNK) {
      const reply = await this.commands.publish(
        this.spec,
        newEpoch(),
        entries.slice(i, i + BULK_CHUNK),
      );
      for (const r of reply.results)
        out.push({ position: formatPosition(reply.epoch, r.id), duplicate: r.duplicate });
    }
    return out;
  }

  /**
   * Entries after `after` (exclusive), oldest first. If entries after `after` are gone
   * (trimmed, or the topic was recreated) `truncated` says so and what remains is returned.
   * @example
   * ```ts
   * let page = await topic.range({ after: cursor, limit: 100 });
   * if (page.truncated) warnUser(page.truncated);
   * ```
   */
  async range(opts: { after?: Position; limit?: number } = {}): Promise<RangePage<T>> {
    this.hub.assertOpen();
    const { o, problems } = optionsOf(opts, 'range options', KEYS.range);
    assertNoProblems(problems);
    const after = o.after ?? START;
    const limit = checkLimit('limit', o.limit ?? 100);
    const { epoch, id } = parsePosition(after);
    // Any identical read in flight may be shared: it was sent on the hub's one connection after
    // every publish of this hub that has resolved, so it sees them (read-your-writes holds).
    const page = await this.source.readAfter(id, epoch, limit, -1);
    const last = page.entries[page.entries.length - 1];
    return {
      entries: page.entries as StreamEntry<T>[],
      epoch: page.epoch,
      truncated: page.truncated
        ? {
            reason: page.truncated,
            firstAvailable:
              page.epoch && page.firstId ? formatPosition(page.epoch, page.firstId) : null,
          }
        : null,
      next: last ? last.position : page.truncated === 'epoch' ? START : after,
      hasMore: last !== undefined && compareIds(last.id, page.lastId) < 0,
    };
  }

  /** The newest `n` entries, oldest first. */
  async latest(n: number): Promise<StreamEntry<T>[]> {
    this.hub.assertOpen();
    const raw = await this.commands.range('latest', '0-0', '', checkLimit('n', n));
    return parseRows(raw) as StreamEntry<T>[];
  }

  /** The entry at `position`, or undefined if it is gone (or of another epoch). */
  async get(position: Position): Promise<StreamEntry<T> | undefined> {
    this.hub.assertOpen();
    const { epoch, id } = parsePosition(position);
    const raw = await this.commands.range('at', id, '', 1);
    if (raw.epoch !== epoch) return undefined;
    return parseRows(raw)[0] as StreamEntry<T> | undefined;
  }

  /** Length, first and last position, epoch, TTL and groups, read in one step. */
  async info(): Promise<TopicInfo> {
    this.hub.assertOpen();
    const raw = await this.commands.info();
    if (!raw)
      return {
        exists: false,
        epoch: null,
        length: 0,
        first: null,
        last: null,
        entriesAdded: 0,
        ttlMs: null,
        groups: [],
      };
    return {
      exists: true,
      epoch: raw.epoch,
      length: raw.length,
      first: raw.firstId ? formatPosition(raw.epoch, raw.firstId) : null,
      last: raw.length > 0 ? formatPosition(raw.epoch, raw.lastId) : null,
      entriesAdded: raw.entriesAdded,
      ttlMs: raw.ttlMs >= 0 ? raw.ttlMs : null,
      groups: raw.groups,
    };
  }

  /**
   * Subscribes: the backlog after `after` (paged, bounded memory), then live entries, with no
   * gap and no duplicate, also across a dropped Redis connection. Many subscriptions to one
   * topic in one process share one Redis reader.
   * @example
   * ```ts
   * const ac = new AbortController();
   * for await (const ev of topic.subscribe({ after: lastSeen, signal: ac.signal })) {
   *   if (ev.type === 'entry') send(ev.entry); else sendReset(ev.truncation);
   * }
   * ```
   */
  subscribe(options: SubscribeOptions = {}): Subscription<T> {
    this.hub.assertOpen();
    const opts = checkSubscribeOptions(options);
    const pageSize = checkLimit('pageSize', opts.pageSize ?? DEFAULT_PAGE_SIZE);
    const maxBuffered = opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    let start: { epoch: string | null; id: string } | undefined;
    if (opts.after !== undefined) {
      const p = parsePosition(opts.after);
      start = { epoch: p.epoch || null, id: p.id };
    }
    const reader = this.hub.reader(this.keys.live, this.source);
    const sub: Subscription<T> = new Subscription<T>(
      reader,
      start,
      pageSize,
      maxBuffered,
      (s) => {
        this.hub.untrack(s);
        this.hub.releaseReader(reader);
      },
      opts.signal,
    );
    if (sub.stats.mode !== 'closed') this.hub.track(sub);
    return sub;
  }

  /**
   * A consumer group on this topic (created on first use; see {@link ConsumerGroup}).
   * @example
   * ```ts
   * const indexer = topic.group('indexer');
   * indexer.process(async (entry) => index(entry.data), { concurrency: 10, consumer: 'host-1' });
   * ```
   */
  group(name: string, opts: GroupOptions = {}): ConsumerGroup<T> {
    this.hub.assertOpen();
    return new ConsumerGroup<T>(this.hub, name, [this], opts);
  }

  /**
   * Deletes the topic: entries, groups (and their dead letters), epoch, idempotency keys.
   * Publishing again creates it under a new epoch. Returns false if it did not exist.
   */
  async delete(): Promise<boolean> {
    this.hub.assertOpen();
    return this.commands.delete();
  }

  /** @internal the retention spec (the feed group uses its partitions' spec) */
  get publishSpec(): PublishSpec {
    return this.spec;
  }

  /** A read shared with identical ones in flight that were sent after read number `since`. */
  private async read(
    key: string,
    since: number,
    mode: 'after' | 'tail',
    id: string,
    epoch: string,
    limit: number,
  ): Promise<ParsedPage> {
    const { seq, value } = await this.hub.coalesce(key, since, async () =>
      toPage(await this.commands.range(mode, id, epoch, limit)),
    );
    return { ...value, seq };
  }
}

function checkKey(key: string | undefined, i: number): string {
  if (key === undefined) return '';
  if (typeof key !== 'string' || key.length > 256)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `idempotencyKey of item ${i} must be a string of at most 256 characters`,
    ]);
  return key;
}

function checkLimit(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${name} must be an integer 1–${MAX_PAGE_SIZE}, got ${String(n)}`,
    ]);
  return n;
}

/** Parses the rows of a range reply into entries. */
export function parseRows(raw: RawRange): StreamEntry[] {
  const epoch = raw.epoch ?? '0';
  return raw.rows.map((r) => ({
    position: formatPosition(epoch, r.id),
    id: r.id,
    time: idTime(r.id),
    data: JSON.parse(r.data) as unknown,
  }));
}

function toPage(raw: RawRange): Omit<ParsedPage, 'seq'> {
  return {
    epoch: raw.epoch,
    truncated: raw.truncated,
    firstId: raw.firstId,
    lastId: raw.lastId,
    entries: parseRows(raw),
  };
}
