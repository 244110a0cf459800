/**
 * The job-lifecycle script wrappers, the hot path of workers and producers: add, fetch,
 * complete, fail, extend, release, rate-limit, reap, retention, cancel, progress and logs.
 */
import type { RedisClient } from '../../redis/connection.js';
import type { QueueKeys } from '../../redis/keys.js';
import { SCHEMA_VERSION } from '../../redis/keys.js';
import type { CommandConnection } from '../../redis/command-connection.js';
import { PreparedScript } from '../../redis/scripts.js';
import { CommandsBase, extraKeys, fetchKeys, groupKeys, removalKeys } from './base.js';
import { decodeRows, LEASED_FIELDS, parseFetch } from './job-row.js';
import type { AddSpec, CompleteReply, FetchReply, LeasedJob, Retention } from './types.js';

/**
 * Most jobs, acks or leases one hot-path script call carries: the scripts pass them to Redis with
 * `unpack`, which takes at most ~8,000 values (a worker of concurrency 25,000 would ask for more
 * in one call). Large enough that no drain measured here comes near it.
 */
export const MAX_PER_CALL = 1000;

/** The lifecycle wrappers bound to one queue on one connection. */
export class JobLifecycleCommands extends CommandsBase {
  // KEYS of the hot-path scripts, built once per queue rather than on every call.
  private readonly addKeys: string[];
  private readonly addOneScript: PreparedScript;
  private readonly addPlainScript: PreparedScript;
  private readonly fetchScript: PreparedScript;
  private readonly completeScript: PreparedScript;
  private readonly failKeys: string[];

  constructor(conn: CommandConnection | RedisClient, keys: QueueKeys) {
    super(conn, keys);
    const k = keys;
    this.addKeys = [
      k.meta,
      k.wait,
      k.prio,
      k.delayed,
      k.jobs,
      k.marker,
      k.events,
      k.completed,
      k.failed,
      k.dedup,
      k.entity,
      ...groupKeys(k),
    ];
    this.addOneScript = new PreparedScript('add_one', [
      k.meta,
      k.wait,
      k.prio,
      k.delayed,
      k.jobs,
      k.marker,
      k.events,
    ]);
    this.addPlainScript = new PreparedScript('add_plain', [
      k.meta,
      k.wait,
      k.jobs,
      k.marker,
      k.events,
    ]);
    const common = fetchKeys(k);
    const groups = groupKeys(k);
    this.fetchScript = new PreparedScript('fetch', [...common, k.tomb, ...groups, k.events]);
    // k.entity, then the group keys: the per-entity index is cleaned as retention deletes jobs
    this.completeScript = new PreparedScript('complete', [
      ...common,
      k.results,
      k.completed,
      k.metrics,
      k.events,
      k.dedup,
      k.tomb,
      k.entity,
      ...groups,
      ...extraKeys(k),
      k.parents,
      k.flowout,
    ]);
    this.failKeys = [
      ...common,
      k.results,
      k.failed,
      k.metrics,
      k.events,
      k.dedup,
      k.entity,
      ...groups,
      ...extraKeys(k),
      k.parents,
      k.flowout,
    ];
  }

  /**
   * One job with no de-dup key, entity or group (see {@link isLeanAdd}), by the lean `add_one`
   * script: the same state as {@link add} of that job.
   */
  async addOne(s: AddSpec, now: number): Promise<{ id: string; created: boolean }> {
    const tag = `#${now.toString(36)}`;
    const reply = (await this.prepared(this.addOneScript, [
      SCHEMA_VERSION,
      now,
      tag,
      s.id,
      s.priority,
      s.delayMs,
      s.body,
    ])) as [string | number, number];
    return { id: String(reply[0]), created: reply[1] === 1 };
  }

  /**
   * Jobs with automatic ids, default priority, no delay, de-dup key, entity or group (see
   * {@link isPlainAdd}), by the lean `add_plain` script: the same state as {@link add} of them.
   */
  async addPlain(
    bodies: readonly string[],
    now: number,
  ): Promise<{ id: string; created: boolean }[]> {
    const first = await this.addPlainFirst(bodies, now);
    const out: { id: string; created: boolean }[] = new Array(bodies.length);
    for (let i = 0; i < bodies.length; i++) out[i] = { id: String(first + i), created: true };
    return out;
  }

  /** {@link addPlain} resolving with the first job's id only (the N jobs have the N from it). */
  async addPlainFirst(bodies: readonly string[], now: number): Promise<number> {
    const head: (string | number)[] = [SCHEMA_VERSION, `#${now.toString(36)}`];
    return Number(await this.prepared(this.addPlainScript, head.concat(bodies)));
  }

  /** `now`: Redis's time as read by {@link RedisClock}. */
  async add(specs: readonly AddSpec[], now: number): Promise<{ id: string; created: boolean }[]> {
    const args: (string | number)[] = [SCHEMA_VERSION, now, `#${now.toString(36)}`, specs.length];
    for (const s of specs)
      args.push(
        s.id,
        s.priority,
        s.delayMs,
        s.dedupKey,
        s.dedupTtlMs,
        s.entity,
        s.group ?? '',
        s.body,
        s.dedupWindowMs ?? 0,
      );
    const reply = (await this.script('add')(this.addKeys, args)) as (string | number)[];
    const out: { id: string; created: boolean }[] = [];
    for (let i = 0; i < reply.length; i += 2)
      out.push({ id: String(reply[i]), created: reply[i + 1] === 1 });
    return out;
  }

  /**
   * Takes up to `count` jobs under lease. `leadMs` > 0: slots the queue's waiting jobs leave
   * free take delayed jobs due within it too, leased from their due time (their token ends in
   * it: the caller starts each then, see worker/fetching/due-starts.ts).
   */
  async fetch(count: number, leaseMs: number, tokenBase: string, leadMs = 0): Promise<FetchReply> {
    const args = [count, leaseMs, tokenBase, leadMs];
    const reply = (await this.prepared(this.fetchScript, args)) as unknown[];
    return parseFetch(reply, 0);
  }

  async complete(
    acks: readonly { id: string; token: string; result: string }[],
    keep: Retention,
    fetchCount: number,
    leaseMs: number,
    tokenBase: string,
    leadMs = 0,
  ): Promise<CompleteReply> {
    const args: (string | number)[] = [
      keep.count,
      keep.ageMs,
      fetchCount,
      leaseMs,
      tokenBase,
      leadMs,
      acks.length,
    ];
    for (const a of acks) args.push(a.id, a.token, a.result);
    const reply = (await this.prepared(this.completeScript, args)) as unknown[];
    const nStale = Number(reply[0]);
    const stale = reply.slice(1, 1 + nStale) as string[];
    return { stale, ...parseFetch(reply, 1 + nStale) };
  }

  /**
   * Returns the time the attempt ended (ms, Redis clock), or 0 when the caller no longer holds
   * the lease (nothing was applied).
   */
  async fail(
    id: string,
    token: string,
    decision: { action: 'retry'; delayMs: number } | { action: 'fail' },
    entry: object,
    keep: Retention,
    historyLimit: number,
  ): Promise<number> {
    const reply = await this.script('fail')(this.failKeys, [
      id,
      token,
      decision.action,
      decision.action === 'retry' ? decision.delayMs : 0,
      JSON.stringify(entry),
      keep.count,
      keep.ageMs,
      historyLimit,
    ]);
    return Number(reply);
  }

  /**
   * Extends leases; returns the ids whose lease was lost, and those of held jobs cancelled. By
   * calls of {@link MAX_PER_CALL} leases.
   */
  async extend(
    leases: readonly { id: string; token: string }[],
    leaseMs: number,
  ): Promise<{ lost: string[]; cancelled: string[] }> {
    const k = this.keys;
    const out = { lost: [] as string[], cancelled: [] as string[] };
    for (let from = 0; from < leases.length; from += MAX_PER_CALL) {
      const args: (string | number)[] = [leaseMs];
      for (const l of leases.slice(from, from + MAX_PER_CALL)) args.push(l.id, l.token);
      const [lost, cancelled] = (await this.script('extend')(
        [k.active, k.lease, k.cancel],
        args,
      )) as [string[], string[]];
      out.lost.push(...lost);
      out.cancelled.push(...cancelled);
    }
    return out;
  }

  /** One atomic call however many (the script takes its leases one by one: no `unpack`). */
  async release(leases: readonly { id: string; token: string }[]): Promise<number> {
    const k = this.keys;
    const args: string[] = [];
    for (const l of leases) args.push(l.id, l.token);
    return Number(
      await this.script('release')(
        [k.meta, k.wait, k.prio, k.active, k.jobs, k.lease, k.marker, ...groupKeys(k), k.delayed],
        args,
      ),
    );
  }

  /**
   * Holds the job's group (the queue, for a job without one) back for `delayMs` and puts the job
   * back at its head, counting no attempt. False when the caller no longer holds the lease.
   */
  async rateLimit(id: string, token: string, delayMs: number): Promise<boolean> {
    const k = this.keys;
    const reply = await this.script('rate_limit')(
      [k.meta, k.wait, k.prio, k.active, k.jobs, k.lease, ...groupKeys(k)],
      [id, token, delayMs],
    );
    return reply === 1;
  }

  async reap(
    maxStalls: number,
    leaseMs: number,
    tokenBase: string,
    limit: number,
  ): Promise<{ requeued: string[]; takenOver: LeasedJob[] }> {
    const k = this.keys;
    const reply = (await this.script('reap')(
      [
        k.meta,
        k.wait,
        k.prio,
        k.active,
        k.jobs,
        k.info,
        k.lease,
        k.marker,
        k.events,
        ...groupKeys(k),
      ],
      [maxStalls, leaseMs, tokenBase, limit],
    )) as string[];
    const n = Number(reply[0]);
    const requeued = reply.slice(1, 1 + n);
    const takenOver: LeasedJob[] = decodeRows(reply, 1 + n, LEASED_FIELDS);
    return { requeued, takenOver };
  }

  /**
   * Applies retention to the completed and failed sets (a set whose `count` is 0 is left alone),
   * removing at most `limit` jobs; returns how many it removed.
   */
  async trimFinished(
    keepCompleted: Retention,
    keepFailed: Retention,
    limit: number,
  ): Promise<number> {
    const k = this.keys;
    return Number(
      await this.script('trim_finished')(
        [k.completed, k.failed, k.jobs, k.info, k.results, k.dedup, k.entity, ...extraKeys(k)],
        [keepCompleted.count, keepCompleted.ageMs, keepFailed.count, keepFailed.ageMs, limit],
      ),
    );
  }

  /** See cancel.lua: 1 removed, 2 active (cancel announced), 0 no such job, -1 finished. */
  async cancel(id: string): Promise<1 | 2 | 0 | -1> {
    const k = this.keys;
    return Number(await this.script('cancel')(removalKeys(k), [id, k.cancelChannel])) as
      1 | 2 | 0 | -1;
  }

  /** Stores a running job's progress (JSON); false when the caller no longer holds the lease. */
  async progress(id: string, token: string, value: string): Promise<boolean> {
    const k = this.keys;
    const reply = await this.script('progress')(
      [k.meta, k.lease, k.progress, k.events],
      [id, token, value],
    );
    return reply === 1;
  }

  /** Appends a log line; the lines now kept, or -1 when the caller no longer holds the lease. */
  async log(
    id: string,
    token: string,
    line: string,
    maxLines: number,
    maxBytes: number,
  ): Promise<number> {
    const k = this.keys;
    return Number(
      await this.script('log')([k.meta, k.lease, k.logs], [id, token, line, maxLines, maxBytes]),
    );
  }
}

/** True for a job the lean `add_one` script can add: no de-dup key, entity or group. */
export function isLeanAdd(s: AddSpec): boolean {
  return s.dedupKey === '' && s.entity === '' && !s.group;
}

/** True for a job `add_plain` can add: lean, with an automatic id, priority 0 and no delay. */
export function isPlainAdd(s: AddSpec): boolean {
  return s.id === '' && s.priority === 0 && s.delayMs === 0 && isLeanAdd(s);
}
