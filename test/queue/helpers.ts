/**
 * Shared helpers of the queue suites: a per-test harness that opens Queues, Workers and a plain
 * ioredis client under one unique prefix (on the shared server, or on a Cluster), closes them all
 * after the test, and reads the contents of a queue's keys for state-transition assertions.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import {
  Queue,
  Worker,
  type BatchProcessor,
  type BatchWorkerOptions,
  type QueueOptions,
  type ValidationError,
  type WorkerOptions,
} from '../../src/index.js';
import type { Processor } from '../../src/queue/worker.js';
import { QueueCommands } from '../../src/queue/commands/commands.js';
import type { ConnectionOptions } from '../../src/redis/connection.js';
import { LEASE_PAD_FIELD, queueKeys, type QueueKeys } from '../../src/redis/keys.js';
import { redisUrl, uniquePrefix, waitFor } from '../harness/context.js';

export type Raw = Redis | Cluster;

/** Everything one test opened, closed in reverse order after it. */
export class Harness {
  readonly prefix = uniquePrefix();
  private readonly closers: (() => Promise<unknown>)[] = [];
  private rawClient: Raw | undefined;

  constructor(readonly connection: ConnectionOptions) {}

  queue<D = unknown, R = unknown>(name: string, opts: QueueOptions = {}): Queue<D, R> {
    const q = new Queue<D, R>(name, { connection: this.connection, prefix: this.prefix, ...opts });
    this.closers.push(() => q.close());
    return q;
  }

  worker<D = unknown, R = unknown>(
    name: string,
    processor: Processor<D, R>,
    opts: WorkerOptions = {},
  ): Worker<D, R> {
    const w = new Worker<D, R>(name, processor, {
      connection: this.connection,
      prefix: this.prefix,
      ...opts,
    });
    w.on('error', () => {}); // tests that care attach their own listener
    this.closers.push(() => w.close(0));
    return w;
  }

  /** A worker with a batch handler. */
  batchWorker<D = unknown, R = unknown>(
    name: string,
    processor: BatchProcessor<D, R>,
    opts: BatchWorkerOptions,
  ): Worker<D, R> {
    const w = new Worker<D, R>(name, processor, {
      connection: this.connection,
      prefix: this.prefix,
      ...opts,
    });
    w.on('error', () => {});
    this.closers.push(() => w.close(0));
    return w;
  }

  /** A plain client for reading keys directly. */
  get redis(): Raw {
    if (!this.rawClient) {
      const c = this.connection;
      this.rawClient =
        typeof c === 'object' && 'cluster' in c && Array.isArray(c.cluster)
          ? new Cluster(c.cluster)
          : new Redis(c as string);
      const client = this.rawClient;
      this.closers.unshift(async () => client.disconnect());
    }
    return this.rawClient;
  }

  keys(name: string): QueueKeys {
    return queueKeys(this.prefix, name);
  }

  /** The raw script wrappers, to act as a worker that took a job and then died. */
  commands(name: string): QueueCommands {
    return new QueueCommands(this.redis, this.keys(name));
  }

  /** Redis's clock, ms. */
  async now(): Promise<number> {
    const [s, us] = (await this.redis.time()) as [number | string, number | string];
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  /** Contents of every state key of queue `name`. */
  async state(name: string): Promise<QueueState> {
    const k = this.keys(name);
    const r = this.redis;
    const zset = async (key: string) => {
      const flat = await r.zrange(key, 0, -1, 'WITHSCORES');
      const out: Record<string, number> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = Number(flat[i + 1]);
      return out;
    };
    const [wait, prio, delayed, active, completed, failed, lease, jobs, info, results, meta] =
      await Promise.all([
        r.lrange(k.wait, 0, -1),
        r.zrange(k.prio, 0, -1),
        zset(k.delayed),
        zset(k.active),
        zset(k.completed),
        zset(k.failed),
        r.hgetall(k.lease),
        r.hkeys(k.jobs),
        r.hgetall(k.info),
        r.hgetall(k.results),
        r.hgetall(k.meta),
      ]);
    // not a lease: the field that keeps the hash a hashtable (lua/includes/fetch.lua)
    delete lease[LEASE_PAD_FIELD];
    const parsedInfo: Record<string, JobInfo> = {};
    for (const [id, json] of Object.entries(info)) parsedInfo[id] = JSON.parse(json) as JobInfo;
    return {
      // In run order: the wait list is LPUSH-in / RPOP-out.
      waiting: [...wait].reverse(),
      prio,
      delayed,
      active,
      completed,
      failed,
      lease,
      jobs: jobs.sort(),
      info: parsedInfo,
      results,
      meta,
    };
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c();
  }
}

export interface JobInfo {
  attempts?: number;
  stalls?: number;
  totalStalls?: number;
  history?: { at: number; error: string; stack?: string; stalled?: boolean }[];
  failedReason?: string;
  retriedByHand?: number;
}

export interface QueueState {
  /** Default-priority waiting ids, next to run first. */
  waiting: string[];
  /** Prioritised waiting ids, next to run first. */
  prio: string[];
  delayed: Record<string, number>;
  active: Record<string, number>;
  completed: Record<string, number>;
  failed: Record<string, number>;
  lease: Record<string, string>;
  /** Ids that have a job record. */
  jobs: string[];
  info: Record<string, JobInfo>;
  results: Record<string, string>;
  meta: Record<string, string>;
}

/**
 * Registers a fresh {@link Harness} per test and returns a getter for the current one.
 * `connection` defaults to the shared server.
 */
export function useHarness(connection: () => ConnectionOptions = redisUrl): () => Harness {
  let current: Harness | undefined;
  beforeEach(() => {
    current = new Harness(connection());
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('harness used outside a test');
    return current;
  };
}

/**
 * A few jobs through queue `name` on a fresh worker (concurrency 2): five single adds, each run
 * before the next, then a bulk of two. For the tests of how scripts reach Redis (every add,
 * fetch and ack path once).
 */
export async function runAFewJobs(h: Harness, name: string): Promise<void> {
  const q = h.queue(name);
  const done: string[] = [];
  const w = h.worker(name, () => {}, { concurrency: 2 });
  w.on('completed', (job) => done.push(job.id));
  for (let i = 0; i < 5; i++) {
    await q.add('j', { i });
    await waitFor(() => done.length === i + 1, `job ${i} done`);
  }
  await q.addBulk([{ data: { i: 5 } }, { data: { i: 6 } }]);
  await waitFor(() => done.length === 7, 'bulk done');
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export async function caught(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * Each options object of `cases` makes `make` throw one `SLC_ERR_INVALID_OPTIONS` whose first
 * problem matches its pattern.
 */
export async function expectOptionProblems(
  make: (options: unknown) => unknown,
  cases: [options: unknown, problem: RegExp][],
): Promise<void> {
  for (const [options, problem] of cases) {
    const err = await caught(async () => make(options));
    expect(err, JSON.stringify(options)).toMatchObject({ code: 'SLC_ERR_INVALID_OPTIONS' });
    expect((err as ValidationError).problems[0]).toMatch(problem);
  }
}
