/**
 * The admin and producer face of a partitioned queue: one logical queue over N inner
 * single-partition queues (each a plain `Queue` on keys tagged `{<name>#<i>}`). Adds go to one
 * partition (see partition-layout.ts); reads and admin operations ask every partition and merge,
 * so a caller sees one queue. Costs: `stats` is N reads (summed, not one atomic snapshot);
 * `getJobs` / `getEntityJobs` read `offset + limit` rows of each partition and merge them; a
 * by-id operation asks the id's partition first and the others only when the job is not there
 * (a job placed by its group or dedup key under an id of the caller's). See
 * docs/operations.md#partitions.
 */
import { JobError, ValidationError } from '../../errors.js';
import type { EntityJobPage } from '../admin/entity-index.js';
import type { HistoryRange, QueueHistory, SearchOptions, SearchPage } from '../admin/inspect.js';
import type { Job, JobState } from '../job.js';
import type { QueueLimits } from '../admin/limits.js';
import type { AddOptions, BulkJob } from '../options.js';
import { idFor, partitionOf, routingKey } from './partition-layout.js';
import type { AddedJob, JobPage, Queue, QueueStats } from '../queue.js';

type Inner<D, R> = Queue<D, R>;

const CHUNK = 1000;

/** Reads the first `n` jobs of `state` in one partition, in its own order. */
async function head<D>(q: Inner<D, unknown>, state: JobState, n: number): Promise<JobPage<D>> {
  const jobs: Job<D>[] = [];
  let total = 0;
  for (let offset = 0; offset < n; offset += CHUNK) {
    const page = await q.getJobs(state, { offset, limit: Math.min(CHUNK, n - offset) });
    total = page.total;
    jobs.push(...page.jobs);
    if (page.jobs.length < Math.min(CHUNK, n - offset)) break;
  }
  return { total, jobs };
}

/** The order an operator reads `state` in, across partitions (see `Queue.getJobs`). */
function before(state: JobState): (a: Job, b: Job) => number {
  const t = (j: Job) => j.timestamp ?? 0;
  switch (state) {
    case 'waiting':
      return (a, b) => b.priority - a.priority || a.createdAt - b.createdAt;
    case 'delayed':
    case 'active':
      return (a, b) => t(a) - t(b);
    default:
      return (a, b) => t(b) - t(a);
  }
}

/** One logical queue over its partitions (see the file notes); used by `Queue`. */
export class QueuePartitions<Data, Result> {
  private turn = 0;
  private forwarding = false;

  constructor(
    private readonly name: string,
    readonly parts: readonly Inner<Data, Result>[],
  ) {}

  /** The partition a new job goes to (round-robin when nothing places it). */
  private place(opts: AddOptions | undefined): { part: number; opts: AddOptions | undefined } {
    const n = this.parts.length;
    const key = routingKey(opts);
    const part = key === undefined ? this.turn++ % n : partitionOf(key, n);
    if (opts?.id !== undefined) return { part, opts };
    return { part, opts: { ...opts, id: idFor(part, n) } };
  }

  add(name: string, data: Data, opts?: AddOptions): Promise<AddedJob> {
    const p = this.place(opts);
    return this.parts[p.part]!.add(name, data, p.opts);
  }

  /** Each partition's share is one `addBulk` (chunks of 1,000 atomic per partition). */
  async addBulk(jobs: readonly BulkJob<Data>[]): Promise<AddedJob[]> {
    const groups = this.parts.map(() => [] as { at: number; job: BulkJob<Data> }[]);
    jobs.forEach((job, at) => {
      const p = this.place(job?.opts);
      groups[p.part]!.push({ at, job: { ...job, ...(p.opts ? { opts: p.opts } : {}) } });
    });
    const out: AddedJob[] = new Array<AddedJob>(jobs.length);
    await Promise.all(
      groups.map(async (g, i) => {
        if (g.length === 0) return;
        const added = await this.parts[i]!.addBulk(g.map((x) => x.job));
        added.forEach((a, k) => (out[g[k]!.at] = a));
      }),
    );
    return out;
  }

  /** Partitions in the order to look for `id`: its hash partition first. */
  private lookOrder(id: string): Inner<Data, Result>[] {
    const first = partitionOf(id, this.parts.length);
    return [this.parts[first]!, ...this.parts.filter((_, i) => i !== first)];
  }

  async getJob(id: string): Promise<Job<Data, Result> | undefined> {
    for (const q of this.lookOrder(id)) {
      const job = await q.getJob(id);
      if (job) return job;
    }
    return undefined;
  }

  async getJobs(
    state: JobState,
    page: { offset?: number; limit?: number },
  ): Promise<JobPage<Data>> {
    // Validated by the first partition's call; an empty merge still checks the page.
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 50;
    const pages = await Promise.all(this.parts.map((q) => head(q, state, offset + limit)));
    const all = pages.flatMap((p) => p.jobs).sort(before(state));
    return {
      total: pages.reduce((n, p) => n + p.total, 0),
      jobs: all.slice(offset, offset + limit),
    };
  }

  async getEntityJobs(
    entity: string,
    page: { offset?: number; limit?: number },
  ): Promise<EntityJobPage<Data, Result>> {
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 50;
    const pages = await Promise.all(
      this.parts.map((q) =>
        q.getEntityJobs(entity, { offset: 0, limit: Math.min(1000, offset + limit) }),
      ),
    );
    const all = pages.flatMap((p) => p.jobs).sort((a, b) => b.createdAt - a.createdAt);
    return {
      total: pages.reduce((n, p) => n + p.total, 0),
      jobs: all.slice(offset, offset + limit),
    };
  }

  /** Summed over the partitions (each read in one step; the sum is not one snapshot). */
  async stats(): Promise<QueueStats> {
    const all = await Promise.all(this.parts.map((q) => q.stats()));
    const sum = (f: (s: QueueStats) => number) => all.reduce((n, s) => n + f(s), 0);
    const series = (f: (s: QueueStats) => number[]) =>
      f(all[0]!).map((_, i) => all.reduce((n, s) => n + (f(s)[i] ?? 0), 0));
    const ages = all.map((s) => s.oldestWaitingAgeMs).filter((a): a is number => a !== null);
    return {
      name: this.name,
      waiting: sum((s) => s.waiting),
      active: sum((s) => s.active),
      delayed: sum((s) => s.delayed),
      completed: sum((s) => s.completed),
      failed: sum((s) => s.failed),
      paused: all.every((s) => s.paused),
      oldestWaitingAgeMs: ages.length ? Math.max(...ages) : null,
      totals: { completed: sum((s) => s.totals.completed), failed: sum((s) => s.totals.failed) },
      perMinute: {
        completed: sum((s) => s.perMinute.completed),
        failed: sum((s) => s.perMinute.failed),
      },
      history: {
        completed: series((s) => s.history.completed),
        failed: series((s) => s.history.failed),
      },
    };
  }

  async history(range: HistoryRange): Promise<QueueHistory> {
    const all = await Promise.all(this.parts.map((q) => q.history(range)));
    const first = all[0]!;
    const add = (f: (h: QueueHistory) => number[]) =>
      f(first).map((_, i) => all.reduce((n, h) => n + (f(h)[i] ?? 0), 0));
    return { ...first, completed: add((h) => h.completed), failed: add((h) => h.failed) };
  }

  /**
   * One partition at a time; the cursor packs `(partition cursor) × N + partition` in decimal,
   * so `'0'` still means "start" and "done".
   */
  async search(opts: SearchOptions): Promise<SearchPage> {
    const n = BigInt(this.parts.length);
    const packed = BigInt(opts.cursor && opts.cursor !== '' ? opts.cursor : '0');
    const part = Number(packed % n);
    const page = await this.parts[part]!.search({ ...opts, cursor: String(packed / n) });
    let next = BigInt(page.cursor) * n + BigInt(part);
    if (page.cursor === '0') next = part + 1 < this.parts.length ? BigInt(part + 1) : 0n;
    return { ...page, cursor: String(next) };
  }

  /**
   * Group limits apply in each partition (a group lives in one). Queue-wide `concurrency` and
   * `rateLimit` would hold per partition only, so they are refused.
   */
  async setLimits(limits: QueueLimits): Promise<void> {
    const l = limits as QueueLimits | null;
    if (
      l &&
      typeof l === 'object' &&
      ((l.concurrency ?? null) !== null || (l.rateLimit ?? null) !== null)
    )
      throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
        `queue ${this.name} is partitioned: concurrency and rateLimit cannot be enforced across partitions (group limits can)`,
      ]);
    for (const q of this.parts) await q.setLimits(limits);
  }

  getLimits(): Promise<QueueLimits> {
    return this.parts[0]!.getLimits();
  }

  async pause(): Promise<void> {
    for (const q of this.parts) await q.pause();
  }

  async resume(): Promise<void> {
    for (const q of this.parts) await q.resume();
  }

  async isPaused(): Promise<boolean> {
    return (await Promise.all(this.parts.map((q) => q.isPaused()))).every(Boolean);
  }

  /** Runs `op` on the partition that holds job `id` (an op that throws not-found elsewhere). */
  async onJob<T>(id: string, op: (q: Inner<Data, Result>) => Promise<T>): Promise<T> {
    for (const q of this.lookOrder(id)) {
      try {
        return await op(q);
      } catch (err) {
        if (!(err instanceof JobError && err.code === 'SLC_ERR_JOB_NOT_FOUND')) throw err;
      }
    }
    throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${this.name}`);
  }

  /** Runs `op` on every partition at once. */
  each<T>(op: (q: Inner<Data, Result>) => Promise<T>): Promise<T[]> {
    return Promise.all(this.parts.map(op));
  }

  /** Runs `op` on every partition in turn and sums what it returns. */
  async sum(op: (q: Inner<Data, Result>) => Promise<number>): Promise<number> {
    let n = 0;
    for (const q of this.parts) n += await op(q);
    return n;
  }

  async promote(id: string): Promise<void> {
    for (const q of this.lookOrder(id)) {
      try {
        return await q.promote(id);
      } catch (err) {
        if (!(err instanceof JobError && err.code === 'SLC_ERR_JOB_NOT_FOUND')) throw err;
      }
    }
    throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${this.name}`);
  }

  async remove(id: string): Promise<boolean> {
    for (const q of this.lookOrder(id)) if (await q.remove(id)) return true;
    return false;
  }

  async retryFailed(ids?: readonly string[]): Promise<number> {
    let moved = 0;
    for (const q of this.parts) moved += await q.retryFailed(ids);
    return moved;
  }

  async clear(opts: { includeFailed?: boolean; keepDelayed?: boolean }): Promise<number> {
    let removed = 0;
    for (const q of this.parts) removed += await q.clear(opts);
    return removed;
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((q) => q.close()));
  }

  /**
   * Relays the partitions' job events through `outer` (once): each event as its partition
   * emits it (`drained`, `paused`, `resumed` once per partition), `ready` once all are ready.
   */
  forward(
    outer: { emit(event: string, ...args: unknown[]): boolean },
    events: Iterable<string>,
  ): void {
    if (this.forwarding) return;
    this.forwarding = true;
    let ready = 0;
    for (const q of this.parts) {
      const inner = q as unknown as { on(e: string, f: (...a: unknown[]) => void): void };
      for (const e of events) inner.on(e, (...a) => outer.emit(e, ...a));
      inner.on('ready', () => {
        if (++ready === this.parts.length) outer.emit('ready');
      });
    }
  }
}
