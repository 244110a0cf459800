/**
 * GroupProcessor: one consumer of a consumer group, running a handler over the entries of one
 * topic (or of every partition of a feed). Composed of small parts: a fetch loop per source
 * (`GroupFetcher`), a heartbeat that keeps held entries from being reclaimed and marks the
 * group live, and a reclaimer that takes over entries left idle by dead consumers and
 * dead-letters those delivered `maxDeliveries` times. Entries are acked (in batches) only
 * after the handler succeeds. Start it with `group.process()`.
 */
import { EventEmitter } from 'node:events';
import { ConnectionError } from '../errors.js';
import { formatPosition, idTime, newEpoch, type Position } from './position.js';
import type { Delivery, GroupCommands } from './group-commands.js';
import { GroupFetcher } from './group-fetcher.js';
import type { Hub } from './hub.js';
import { traceDelivery } from '../telemetry.js';
import { PeriodicTask } from '../periodic.js';
import { describeThrown, toError } from '../thrown.js';
import type { StreamEntry } from './types.js';
import { badTimeout, settlesWithin } from '../timeout.js';

/**
 * Reclaim calls per pass at most. Each looks at up to 10 × the free slots of the pending list
 * (one short step inside Redis, however long the list), so a pass looks at up to 1,000 × free.
 */
const RECLAIM_STEPS = 100;

/** What a handler gets beside the entry. */
export interface DeliveryContext {
  /** Aborted when the entry was taken over by another consumer, or on shutdown timeout. */
  signal: AbortSignal;
  /** How many times the entry has been delivered, this time included (1 = first). */
  deliveries: number;
  /** This consumer's name. */
  consumer: string;
}

/** The function that handles one entry; throwing (or rejecting) means "not done". */
export type GroupHandler<T> = (entry: StreamEntry<T>, ctx: DeliveryContext) => unknown;

/** The events a {@link GroupProcessor} emits, with their arguments. */
export interface GroupProcessorEvents<T> {
  /** An entry was delivered `maxDeliveries` times without success and was dead-lettered. */
  'dead-letter': [position: Position, error: string];
  /** The handler failed; the entry will be delivered again after `retryDelayMs`. */
  retry: [entry: StreamEntry<T>, error: unknown, deliveries: number];
  /** This consumer took over an entry another consumer left idle. */
  reclaimed: [position: Position, deliveries: number];
  /** A background step failed (fetch, heartbeat, reclaim, ack); the consumer carries on. */
  error: [error: Error];
}

/** Settings of a processor, normalised (see `ProcessOptions` in group.ts). */
export interface ProcessorSettings {
  consumer: string;
  /** Name of each source's topic, in source order (for trace spans). */
  topicNames: string[];
  concurrency: number;
  claimIdleMs: number;
  maxDeliveries: number;
  retryDelayMs: number;
  blockMs: number;
  reclaimIntervalMs: number;
  heartbeatMs: number;
  deadLetterMaxLen: number;
  startAt: '0' | '$';
  ttlMs: number;
}

interface Source {
  commands: GroupCommands;
  topic: string;
  epoch: string;
  fetcher: GroupFetcher;
}

interface Held {
  source: Source;
  id: string;
  deliveries: number;
  data: string;
  controller: AbortController;
  started: boolean;
  /** The handler returned or threw: the heartbeat no longer keeps it (a failure sets its idle). */
  finished: boolean;
}

/**
 * One consumer of a consumer group (see the file notes). Start one with `group.process()`.
 *
 * @example
 * ```ts
 * const consumer = topic.group('mailer').process(async (entry) => send(entry.data), {
 *   consumer: 'mailer-1',
 *   concurrency: 10,
 * });
 * consumer.on('dead-letter', (position, error) => alert(position, error));
 * await consumer.ready();
 * process.on('SIGTERM', () => void consumer.close(10_000));
 * ```
 */
export class GroupProcessor<T = unknown> extends EventEmitter<GroupProcessorEvents<T>> {
  /** This consumer's name. */
  readonly consumer: string;
  private readonly sources: Source[];
  private readonly held = new Map<string, Held>();
  private readonly waiting: Held[] = [];
  private readonly acks = new Map<Source, string[]>();
  private acking: Promise<void> | undefined;
  private readonly returning = new Set<Promise<void>>();
  private running = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly heartbeat: PeriodicTask;
  private readonly reclaimer: PeriodicTask;
  private stopping = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly started: Promise<void>;

  /** @internal use `group.process()` */
  constructor(
    private readonly hub: Hub,
    commands: GroupCommands[],
    private readonly handler: GroupHandler<T>,
    private readonly s: ProcessorSettings,
  ) {
    super();
    this.consumer = s.consumer;
    const onError = (err: unknown) => this.report(err);
    this.sources = commands.map((c, i) => {
      const source = { commands: c, epoch: '0', topic: s.topicNames[i] ?? '' } as Source;
      source.fetcher = new GroupFetcher(
        c,
        hub.conn,
        hub.connection,
        `${hub.name}:group:${c.group}:${i}`,
        {
          consumer: s.consumer,
          blockMs: s.blockMs,
          room: () => this.room(),
          deliver: (d) => this.take(source, d),
          recreate: () => this.create(source),
          onError,
        },
      );
      return source;
    });
    this.heartbeat = new PeriodicTask(s.heartbeatMs, () => this.beat(), onError);
    this.reclaimer = new PeriodicTask(s.reclaimIntervalMs, () => this.reclaim(false), onError);
    this.started = this.start();
    this.started.catch(onError);
  }

  /** Entries being handled now. */
  get active(): number {
    return this.running;
  }

  /** Resolves once the group exists and this consumer has taken back its own pending entries. */
  ready(): Promise<void> {
    return this.started;
  }

  /**
   * Graceful shutdown: stops taking entries, gives back those not yet started, waits up to
   * `timeoutMs` for running handlers (then aborts them and gives their entries back), sends
   * the last acks, and removes this consumer from the group if it owns nothing pending.
   */
  close(timeoutMs = 10_000): Promise<void> {
    // a bad timeout is refused and starts no close (a later close() with a good one still can)
    return (
      this.closing ??
      badTimeout(timeoutMs, 'close timeoutMs') ??
      (this.closing = this.shutdown(timeoutMs))
    );
  }

  private async start(): Promise<void> {
    // Create the group and take back this consumer's own pending entries; while Redis stays
    // unreachable beyond the retry budget, keep trying (reporting each failure).
    for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
      if (this.stopping) return;
      try {
        for (const source of this.sources) await this.create(source);
        await this.reclaim(true);
        break;
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err;
        this.report(err);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (this.stopping) return;
    for (const source of this.sources) source.fetcher.start();
    this.heartbeat.start();
    this.reclaimer.start();
  }

  private async create(source: Source): Promise<void> {
    source.epoch = await source.commands.create(this.s.startAt, newEpoch(), this.s.ttlMs);
  }

  /** Resolves with how many entries a fetch may ask for, once there is room. */
  private async room(): Promise<number> {
    for (;;) {
      if (this.stopping) return 0;
      const free = this.s.concurrency - this.held.size;
      if (free > 0) return free;
      await new Promise<void>((r) => this.roomWaiters.push(r));
    }
  }

  private take(source: Source, d: Delivery): void {
    const key = `${source.commands.keys.stream}\n${d.id}`;
    if (this.held.has(key)) return; // already ours and running
    const h: Held = {
      source,
      ...d,
      controller: new AbortController(),
      started: false,
      finished: false,
    };
    if (this.stopping) {
      // Arrived as we shut down: never ours to run. Shutdown waits for the give-back.
      const back = this.giveBack(h).finally(() => this.returning.delete(back));
      this.returning.add(back);
      return;
    }
    this.held.set(key, h);
    if (this.running < this.s.concurrency) void this.run(key, h);
    else this.waiting.push(h);
  }

  private async run(key: string, h: Held): Promise<void> {
    h.started = true;
    this.running++;
    const position = formatPosition(h.source.epoch, h.id);
    let entry: StreamEntry<T> | undefined;
    try {
      entry = { position, id: h.id, time: idTime(h.id), data: JSON.parse(h.data) as T };
      const e = entry;
      await traceDelivery(h.source.topic, h.source.commands.group, h.id, h.deliveries, () =>
        this.handler(e, {
          signal: h.controller.signal,
          deliveries: h.deliveries,
          consumer: this.consumer,
        }),
      );
      h.finished = true;
      // An aborted delivery is someone else's now (taken over, or given back on shutdown).
      if (!h.controller.signal.aborted) this.ack(h.source, h.id);
    } catch (err) {
      h.finished = true;
      if (!h.controller.signal.aborted) await this.fail(h, position, entry, err);
    } finally {
      this.running--;
      this.held.delete(key);
      const next = this.waiting.shift();
      if (next && !this.stopping)
        void this.run(`${next.source.commands.keys.stream}\n${next.id}`, next);
      this.roomWaiters.splice(0).forEach((r) => r());
      if (this.running === 0) this.idleWaiters.splice(0).forEach((r) => r());
    }
  }

  private async fail(
    h: Held,
    position: Position,
    entry: StreamEntry<T> | undefined,
    err: unknown,
  ): Promise<void> {
    // Whatever was thrown (null, a null-prototype object, a throwing getter): never throws.
    const d = describeThrown(err);
    const message = typeof err === 'object' && err !== null ? `${d.name}: ${d.message}` : d.message;
    try {
      const outcome = await h.source.commands.nack(this.consumer, h.id, message, {
        maxDeliveries: this.s.maxDeliveries,
        idleMs: Math.max(0, this.s.claimIdleMs - this.s.retryDelayMs),
        dlqMaxLen: this.s.deadLetterMaxLen,
        mode: 'fail',
      });
      if (outcome === 2) this.emit('dead-letter', position, message);
      else if (outcome === 1 && entry) this.emit('retry', entry, err, h.deliveries);
    } catch (e) {
      this.report(e); // left pending: it is reclaimed after claimIdleMs
    }
  }

  /** Gives back an entry this consumer will not run (it can be reclaimed at once). */
  private async giveBack(h: Held): Promise<void> {
    await h.source.commands
      .nack(this.consumer, h.id, '', {
        maxDeliveries: this.s.maxDeliveries,
        idleMs: this.s.claimIdleMs,
        dlqMaxLen: this.s.deadLetterMaxLen,
        mode: h.started ? 'abandon' : 'unrun',
      })
      .catch((e) => this.report(e));
  }

  private ack(source: Source, id: string): void {
    if (this.closed) return; // finished after shutdown gave it back: it runs again elsewhere
    let ids = this.acks.get(source);
    if (!ids) this.acks.set(source, (ids = []));
    ids.push(id);
    this.acking ??= this.flushAcks();
  }

  private async flushAcks(): Promise<void> {
    await Promise.resolve(); // gather the acks of this tick
    while (this.acks.size > 0) {
      const batch = [...this.acks];
      this.acks.clear();
      await Promise.all(
        batch.map(([source, ids]) => source.commands.ack(ids).catch((e) => this.report(e))),
      );
    }
    this.acking = undefined;
  }

  private async beat(): Promise<void> {
    for (const source of this.sources) {
      const ids: string[] = [];
      for (const h of this.held.values()) if (h.source === source && !h.finished) ids.push(h.id);
      const lost = await source.commands.touch(this.consumer, ids);
      for (const id of lost ?? []) {
        const h = this.held.get(`${source.commands.keys.stream}\n${id}`);
        h?.controller.abort(new Error('entry was taken over by another consumer'));
      }
    }
  }

  /**
   * Takes over idle entries (or, at start, this consumer's own pending ones). Each call is a
   * short step of Redis work; one pass makes at most {@link RECLAIM_STEPS} of them, and the next
   * pass goes on where this one stopped.
   */
  private async reclaim(ownOnly: boolean): Promise<void> {
    for (const source of this.sources) {
      for (let step = 1; ; step++) {
        const free = this.s.concurrency - this.held.size;
        if (free <= 0 || this.stopping) return;
        const r = await source.commands.reclaim(
          this.consumer,
          ownOnly ? 0 : this.s.claimIdleMs,
          free,
          this.s.maxDeliveries,
          this.s.deadLetterMaxLen,
          ownOnly,
        );
        if (r.epoch) source.epoch = r.epoch;
        for (const { id, error } of r.dead)
          this.emit('dead-letter', formatPosition(source.epoch, id), error);
        for (const d of r.claimed) {
          if (!ownOnly) this.emit('reclaimed', formatPosition(source.epoch, d.id), d.deliveries);
          this.take(source, d);
        }
        if (r.claimed.length + r.dead.length < free && (!r.more || step >= RECLAIM_STEPS)) break;
      }
    }
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.roomWaiters.splice(0).forEach((r) => r());
    await this.started.catch(() => {});
    await this.reclaimer.stop();
    await Promise.all(this.sources.map((s) => s.fetcher.stop()));
    await Promise.all([...this.returning]);
    for (const h of this.waiting.splice(0)) {
      this.held.delete(`${h.source.commands.keys.stream}\n${h.id}`);
      await this.giveBack(h);
    }
    if (this.running > 0) {
      await settlesWithin(new Promise<void>((r) => this.idleWaiters.push(r)), timeoutMs);
      for (const h of [...this.held.values()]) {
        h.controller.abort(new Error('consumer shut down before the handler finished'));
        await this.giveBack(h);
      }
    }
    await this.acking;
    await this.heartbeat.stop();
    for (const source of this.sources)
      await source.commands.removeConsumer(this.consumer).catch((e) => this.report(e));
    this.closed = true;
    this.hub.untrack(this);
  }

  private report(err: unknown): void {
    const error = toError(err);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(`sluice group consumer ${this.consumer}: ${error.message}`);
  }
}
