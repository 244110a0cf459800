/**
 * The server's Prometheus metrics, in a registry of its own (never prom-client's global one, so
 * two servers in one process, or an app embedding this one, keep their figures apart).
 *
 * Cost of a scrape: one `stats` script call per known queue and one `info` call per known topic
 * (names of both from the registry, never a key scan), gathered with at most `concurrency` in flight and cached for `cacheMs`, so scrapes
 * from several Prometheus replicas within a second share one round of calls; per topic, one
 * `stats` call per consumer group besides. Worker figures (processing time, stalls,
 * lease lost) come from the events of workers in this process ({@link ServerMetrics.observeWorker}).
 *
 * Topic names are unbounded, so topic figures are totals without a topic label unless
 * `metricsTopicLabels` is set.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Worker } from '../index.js';
import { gatewayStats } from './gateway/gateway.js';
import type { ServerContext } from './types.js';

/** Tuning of the metrics collector. */
export interface MetricsOptions {
  /** How long gathered Redis figures are reused, in ms (default 1000). */
  cacheMs?: number;
  /** Queue/topic reads in flight at once (default 16). */
  concurrency?: number;
}

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** The metrics of one server: the registry, the collector, and the worker hook. */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  private readonly cacheMs: number;
  private readonly concurrency: number;
  private readonly topicLabels: boolean;
  private readonly watchedTopics = new Set<string>();
  private gathered = 0;
  private gathering: Promise<void> | undefined;

  private readonly jobs: Gauge<'queue' | 'state'>;
  private readonly paused: Gauge<'queue'>;
  private readonly completedTotal: Counter<'queue'>;
  private readonly failedTotal: Counter<'queue'>;
  private readonly oldestWaiting: Gauge<'queue'>;
  private readonly processing: Histogram<'queue' | 'outcome'>;
  private readonly stalls: Counter<'queue'>;
  private readonly leaseLost: Counter<'queue'>;
  private readonly published: Counter<'topic'>;
  private readonly groupLag: Gauge<'topic' | 'group'>;
  private readonly groupPending: Gauge<'topic' | 'group'>;
  private readonly collectErrors: Counter;
  /** Outbox figures, only while this server runs the relay. */
  private readonly outbox: { rows: Gauge; oldest: Gauge } | undefined;

  constructor(
    private readonly ctx: ServerContext,
    options: MetricsOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 1000;
    this.concurrency = options.concurrency ?? 16;
    this.topicLabels = ctx.config.metricsTopicLabels === true;
    const registers = [this.registry];
    const topic = this.topicLabels ? (['topic'] as const) : ([] as const);
    collectDefaultMetrics({ register: this.registry });
    this.jobs = new Gauge({
      name: 'sluice_queue_jobs',
      help: 'Jobs of a queue by state (completed and failed: those kept by retention)',
      labelNames: ['queue', 'state'],
      registers,
    });
    this.paused = new Gauge({
      name: 'sluice_queue_paused',
      help: '1 while the queue is paused',
      labelNames: ['queue'],
      registers,
    });
    this.completedTotal = new Counter({
      name: 'sluice_queue_completed_total',
      help: 'Jobs completed since the queue was created (kept in Redis, across all workers)',
      labelNames: ['queue'],
      registers,
    });
    this.failedTotal = new Counter({
      name: 'sluice_queue_failed_total',
      help: 'Jobs failed for good since the queue was created (across all workers)',
      labelNames: ['queue'],
      registers,
    });
    this.oldestWaiting = new Gauge({
      name: 'sluice_queue_oldest_waiting_seconds',
      help: 'Age of the oldest waiting job (0 when none waits)',
      labelNames: ['queue'],
      registers,
    });
    this.processing = new Histogram({
      name: 'sluice_job_processing_seconds',
      help: 'Handler start to recorded outcome, for workers in this process',
      labelNames: ['queue', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.stalls = new Counter({
      name: 'sluice_worker_stalls_total',
      help: 'Expired leases returned to waiting by workers in this process',
      labelNames: ['queue'],
      registers,
    });
    this.leaseLost = new Counter({
      name: 'sluice_worker_lease_lost_total',
      help: 'Results rejected because the worker no longer held the lease (this process)',
      labelNames: ['queue'],
      registers,
    });
    this.published = new Counter({
      name: 'sluice_topic_published_total',
      help: 'Entries appended to topics in their current epoch',
      labelNames: [...topic],
      registers,
    });
    this.groupLag = new Gauge({
      name: 'sluice_topic_group_lag',
      help: 'Entries not yet delivered to consumer groups',
      labelNames: this.topicLabels ? ['topic', 'group'] : [],
      registers,
    });
    this.groupPending = new Gauge({
      name: 'sluice_topic_group_pending',
      help: 'Entries delivered to consumer groups and not yet acknowledged',
      labelNames: this.topicLabels ? ['topic', 'group'] : [],
      registers,
    });
    this.collectErrors = new Counter({
      name: 'sluice_metrics_collect_errors_total',
      help: 'Queue or topic reads that failed during a scrape (the figure was left out)',
      registers,
    });
    this.gatewayMetrics(registers);
    this.outbox = ctx.outbox?.relay
      ? {
          rows: new Gauge({
            name: 'sluice_outbox_lag_rows',
            help: 'Committed outbox rows not yet handed to Redis',
            registers,
          }),
          oldest: new Gauge({
            name: 'sluice_outbox_oldest_seconds',
            help: 'Age of the oldest committed outbox row not yet handed to Redis (0 when none)',
            registers,
          }),
        }
      : undefined;
  }

  /**
   * The gateway's figures of this process, read from its counters at each scrape (in memory, no
   * Redis call, never cached): open connections, entries delivered, slow clients dropped.
   */
  private gatewayMetrics(registers: Registry[]): void {
    const ctx = this.ctx;
    new Gauge({
      name: 'sluice_gateway_connections',
      help: 'Gateway connections open now in this process (SSE streams and WebSockets)',
      registers,
      collect() {
        this.set(gatewayStats(ctx).connections);
      },
    });
    // Totals kept by the gateway: each scrape sets the counter to the running total.
    const total = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    total(
      'sluice_gateway_delivered_total',
      'Entries the gateway handed to client sockets (this process)',
      () => gatewayStats(ctx).delivered,
    );
    total(
      'sluice_gateway_slow_disconnects_total',
      'Gateway connections dropped as slow consumers (this process)',
      () => gatewayStats(ctx).slowDropped,
    );
  }

  /**
   * Includes `name` in topic figures even before the registry lists it (the registry learns a
   * topic at its first publish; figures of every topic it lists are gathered anyway).
   */
  watchTopic(name: string): void {
    this.watchedTopics.add(name);
  }

  /**
   * Counts a worker of this process in the processing-time histogram, stalls and lease-lost.
   * Returns a function that stops observing it.
   *
   * @example
   * ```ts
   * const stop = server.metrics.observeWorker(new Worker('emails', handler));
   * ```
   */
  observeWorker<Data, Result>(worker: Worker<Data, Result>): () => void {
    const w = worker as unknown as Worker;
    const queue = w.name;
    const started = new Map<string, number>();
    const end = (id: string, outcome: string) => {
      const t = started.get(id);
      if (t === undefined) return;
      started.delete(id);
      this.processing.observe({ queue, outcome }, (performance.now() - t) / 1000);
    };
    const on = {
      active: (job: { id: string }) => void started.set(job.id, performance.now()),
      completed: (job: { id: string }) => end(job.id, 'completed'),
      failed: (job: { id: string }) => end(job.id, 'failed'),
      retrying: (job: { id: string }) => end(job.id, 'retrying'),
      stalled: () => this.stalls.inc({ queue }),
      'lease-lost': (id: string) => {
        started.delete(id);
        this.leaseLost.inc({ queue });
      },
    };
    for (const [event, fn] of Object.entries(on)) w.on(event as 'drained', fn as () => void);
    this.stalls.inc({ queue }, 0);
    this.leaseLost.inc({ queue }, 0);
    return () => {
      for (const [event, fn] of Object.entries(on)) w.off(event as 'drained', fn as () => void);
      started.clear();
    };
  }

  /** The Prometheus text of every metric (Redis figures at most `cacheMs` old). */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  /** Content type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private refresh(): Promise<void> {
    if (this.gathering) return this.gathering;
    if (performance.now() - this.gathered < this.cacheMs && this.gathered > 0)
      return Promise.resolve();
    this.gathering = this.gather().finally(() => {
      this.gathered = performance.now();
      this.gathering = undefined;
    });
    return this.gathering;
  }

  private async gather(): Promise<void> {
    const queues = await this.ctx.queues.names();
    const topics = [...new Set([...(await this.ctx.registry.topics()), ...this.watchedTopics])];
    for (const m of [this.jobs, this.paused, this.oldestWaiting, this.groupLag, this.groupPending])
      m.reset();
    this.completedTotal.reset();
    this.failedTotal.reset();
    this.published.reset();
    await eachLimited(queues, this.concurrency, async (name) => {
      try {
        const s = await this.ctx.queues.get(name).stats();
        for (const state of STATES) this.jobs.set({ queue: name, state }, s[state]);
        this.paused.set({ queue: name }, s.paused ? 1 : 0);
        this.completedTotal.inc({ queue: name }, s.totals.completed);
        this.failedTotal.inc({ queue: name }, s.totals.failed);
        this.oldestWaiting.set({ queue: name }, (s.oldestWaitingAgeMs ?? 0) / 1000);
      } catch {
        this.collectErrors.inc();
      }
    });
    if (!this.topicLabels) {
      this.published.inc(0);
      this.groupLag.set(0);
      this.groupPending.set(0);
    }
    await Promise.all([
      eachLimited(topics, this.concurrency, (name) => this.gatherTopic(name)),
      this.gatherOutbox(),
    ]);
  }

  /** One query on the outbox table (`Relay.lag`). */
  private async gatherOutbox(): Promise<void> {
    const relay = this.ctx.outbox?.relay;
    if (!relay || !this.outbox) return;
    try {
      const lag = await relay.lag();
      this.outbox.rows.set(lag.rows);
      this.outbox.oldest.set(lag.oldestSeconds);
    } catch {
      this.collectErrors.inc();
    }
  }

  private async gatherTopic(name: string): Promise<void> {
    try {
      const topic = this.ctx.streams.topic(name);
      const info = await topic.info();
      const labels = this.topicLabels ? { topic: name } : {};
      this.published.inc(labels, info.entriesAdded);
      for (const g of info.groups) {
        const s = await topic.group(g.name).stats();
        const gl = this.topicLabels ? { topic: name, group: g.name } : {};
        this.groupLag.inc(gl, s.lag);
        this.groupPending.inc(gl, s.pending);
      }
    } catch {
      this.collectErrors.inc();
    }
  }
}

const perContext = new WeakMap<ServerContext, ServerMetrics>();

/** The metrics of a server context (one per context, made on first use). */
export function metricsFor(ctx: ServerContext, options?: MetricsOptions): ServerMetrics {
  let m = perContext.get(ctx);
  if (!m) {
    m = new ServerMetrics(ctx, options);
    perContext.set(ctx, m);
  }
  return m;
}
