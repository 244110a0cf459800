/**
 * One typed wrapper per queue script: the only place that knows each script's KEYS/ARGV order
 * and reply shape (the `.lua` headers document the same).
 */
import type { RedisClient } from '../redis/connection.js';
import type { QueueKeys } from '../redis/keys.js';
import { SCHEMA_VERSION } from '../redis/keys.js';
import { CommandConnection } from '../redis/command-connection.js';
import { script, type ScriptCall } from '../redis/scripts.js';
import { ConnectionError, SluiceError } from '../errors.js';

/** A job handed out under lease. */
export interface LeasedJob {
  id: string;
  token: string;
  record: string;
  info: string;
}

/** Reply of a fetch step. */
export interface FetchReply {
  /** Redis time of the call, ms. */
  now: number;
  /** The same with its microseconds (what the delay timer arms from). */
  nowExact: number;
  /** Due time of the earliest delayed job (Redis clock, ms), or -1. */
  nextDue: number;
  jobs: LeasedJob[];
}

/** One job to add: already validated and serialised. */
export interface AddSpec {
  id: string;
  priority: number;
  delayMs: number;
  /** '' for none */
  dedupKey: string;
  dedupTtlMs: number;
  /** 0 for none: ms from the add during which the holder de-duplicates, in any state */
  dedupWindowMs?: number;
  /** '' for none: the entity the job is indexed under (see `Queue.getEntityJobs`) */
  entity: string;
  body: string;
  /** '' or undefined for none */
  group?: string;
}

/** Queue-wide limits as stored (see `Queue.setLimits`); undefined = none. */
export interface StoredLimits {
  concurrency?: number;
  rateMax?: number;
  rateDurationMs?: number;
  groupConcurrency?: number;
  groupRateMax?: number;
  groupRateDurationMs?: number;
}

/** Result of completing jobs: the acks rejected by fencing, and the next jobs. */
export interface CompleteReply extends FetchReply {
  stale: string[];
}

/** Order of a `list` page: waiting jobs in run order, or a zset by score. */
export type ListOrder = 'run' | 'asc' | 'desc';

export interface Retention {
  count: number;
  ageMs: number;
}

function parseFetch(reply: unknown[], from: number): FetchReply {
  const jobs: LeasedJob[] = [];
  for (let i = from + 2; i < reply.length; i += 4) {
    jobs.push({
      id: reply[i] as string,
      token: reply[i + 1] as string,
      record: reply[i + 2] as string,
      info: reply[i + 3] as string,
    });
  }
  const exact = Number(reply[from]); // `<ms>.<µs>`
  return { now: Math.floor(exact), nowExact: exact, nextDue: Number(reply[from + 1]), jobs };
}

/**
 * Runs script `name`. An error reply of Redis becomes `SLC_ERR_SCRIPT`, any other failure of
 * the client (a closed or lost link) `SLC_ERR_CONNECTION`; the original error is the `cause`.
 */
async function call(
  client: RedisClient,
  name: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await script(client, name)(keys, args);
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Error && err.name === 'ReplyError')
      throw new SluiceError('SLC_ERR_SCRIPT', `script ${name} failed: ${message}`, { cause: err });
    throw new ConnectionError(`script ${name} failed: ${message}`, { cause: err });
  }
}

function fetchKeys(k: QueueKeys): string[] {
  return [k.meta, k.wait, k.prio, k.delayed, k.active, k.jobs, k.info, k.lease, k.marker];
}

/** The group keys, in the order every script that moves grouped jobs takes them (last). */
function groupKeys(k: QueueKeys): string[] {
  return [k.gwait, k.gof, k.gready, k.glimited, k.gstate, k.gage];
}

/** The per-job extras (progress, logs, cancel marks; see lua/includes/extras.lua), in order. */
function extraKeys(k: QueueKeys): string[] {
  return [k.progress, k.logs, k.cancel];
}

/** KEYS of `remove` and `cancel` (the same set). */
export function removalKeys(k: QueueKeys): string[] {
  return [
    k.wait,
    k.prio,
    k.delayed,
    k.completed,
    k.failed,
    k.jobs,
    k.info,
    k.results,
    k.lease,
    k.dedup,
    k.meta,
    k.tomb,
    k.entity,
    ...groupKeys(k),
    ...extraKeys(k),
    k.events,
  ];
}

/**
 * Script wrappers bound to one queue on one connection: a {@link CommandConnection} (calls ride
 * out a short loss of Redis, then fail with `SLC_ERR_CONNECTION`), or a plain client (tests).
 */
export class QueueCommands {
  readonly client: RedisClient;
  // KEYS of the hot-path scripts, built once per queue rather than on every call.
  private readonly addKeys: string[];
  private readonly fetchKeys: string[];
  private readonly completeKeys: string[];
  private readonly failKeys: string[];

  constructor(
    private readonly conn: CommandConnection | RedisClient,
    readonly keys: QueueKeys,
  ) {
    this.client = conn instanceof CommandConnection ? conn.client : conn;
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
    const common = fetchKeys(k);
    const groups = groupKeys(k);
    this.fetchKeys = [...common, k.tomb, ...groups, k.events];
    // k.entity, then the group keys: the per-entity index is cleaned as retention deletes jobs
    this.completeKeys = [
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
    ];
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

  /** The call of script `name` on this connection (for the helper modules of the Queue). */
  script(name: string): ScriptCall {
    const conn = this.conn;
    if (conn instanceof CommandConnection) return (keys, args) => conn.script(name, keys, args);
    return (keys, args) => call(conn, name, keys, args);
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

  async fetch(count: number, leaseMs: number, tokenBase: string): Promise<FetchReply> {
    const reply = (await this.script('fetch')(this.fetchKeys, [
      count,
      leaseMs,
      tokenBase,
    ])) as unknown[];
    return parseFetch(reply, 0);
  }

  async complete(
    acks: readonly { id: string; token: string; result: string }[],
    keep: Retention,
    fetchCount: number,
    leaseMs: number,
    tokenBase: string,
  ): Promise<CompleteReply> {
    const args: (string | number)[] = [
      keep.count,
      keep.ageMs,
      fetchCount,
      leaseMs,
      tokenBase,
      acks.length,
    ];
    for (const a of acks) args.push(a.id, a.token, a.result);
    const reply = (await this.script('complete')(this.completeKeys, args)) as unknown[];
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

  async setLimits(l: StoredLimits): Promise<void> {
    const k = this.keys;
    const v = (n: number | undefined) => (n === undefined ? '' : n);
    await this.script('set_limits')(
      [k.meta, k.marker],
      [
        v(l.concurrency),
        v(l.rateMax),
        v(l.rateDurationMs),
        v(l.groupConcurrency),
        v(l.groupRateMax),
        v(l.groupRateDurationMs),
      ],
    );
  }

  /** Extends leases; returns the ids whose lease was lost, and those of held jobs cancelled. */
  async extend(
    leases: readonly { id: string; token: string }[],
    leaseMs: number,
  ): Promise<{ lost: string[]; cancelled: string[] }> {
    const args: (string | number)[] = [leaseMs];
    for (const l of leases) args.push(l.id, l.token);
    const k = this.keys;
    const [lost, cancelled] = (await this.script('extend')(
      [k.active, k.lease, k.cancel],
      args,
    )) as [string[], string[]];
    return { lost, cancelled };
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
    const takenOver: LeasedJob[] = [];
    for (let i = 1 + n; i < reply.length; i += 4)
      takenOver.push({
        id: reply[i]!,
        token: reply[i + 1]!,
        record: reply[i + 2]!,
        info: reply[i + 3]!,
      });
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

  async release(leases: readonly { id: string; token: string }[]): Promise<number> {
    const k = this.keys;
    const args: string[] = [];
    for (const l of leases) args.push(l.id, l.token);
    return Number(
      await this.script('release')(
        [k.meta, k.wait, k.prio, k.active, k.jobs, k.lease, k.marker, ...groupKeys(k)],
        args,
      ),
    );
  }

  async setPaused(paused: boolean): Promise<void> {
    const k = this.keys;
    await this.script('pause')([k.meta, k.marker, k.events], [paused ? '1' : '0']);
  }

  async promote(id: string): Promise<1 | 0 | -1> {
    const k = this.keys;
    return Number(
      await this.script('promote')(
        [k.meta, k.wait, k.prio, k.delayed, k.jobs, k.marker, ...groupKeys(k)],
        [id],
      ),
    ) as 1 | 0 | -1;
  }

  async remove(id: string): Promise<1 | 0 | -1> {
    const k = this.keys;
    return Number(await this.script('remove')(removalKeys(k), [id])) as 1 | 0 | -1;
  }

  /**
   * One bounded step of retrying failed jobs: how many moved, how many of the ids (or of the
   * oldest `limit`) it dealt with, and whether it stopped early with some left.
   */
  async retryFailed(
    limit: number,
    ids: readonly string[],
  ): Promise<{ moved: number; looked: number; more: boolean }> {
    const k = this.keys;
    const [moved, looked, more] = (await this.script('retry_failed')(
      [k.meta, k.wait, k.prio, k.failed, k.jobs, k.info, k.marker, ...groupKeys(k)],
      [limit, ...ids],
    )) as [number, number, number];
    return { moved: Number(moved), looked: Number(looked), more: Number(more) === 1 };
  }

  /** One bounded step of clearing: jobs removed, and whether every set is now empty. */
  async clear(
    limit: number,
    includeFailed: boolean,
    keepDelayed = false,
  ): Promise<{ removed: number; done: boolean }> {
    const k = this.keys;
    const [removed, done] = (await this.script('clear')(
      [
        k.wait,
        k.prio,
        k.delayed,
        k.failed,
        k.jobs,
        k.info,
        k.results,
        k.dedup,
        k.meta,
        k.tomb,
        k.entity,
        ...groupKeys(k),
        ...extraKeys(k),
      ],
      [limit, includeFailed ? '1' : '0', keepDelayed ? '1' : '0'],
    )) as [number, number];
    return { removed: Number(removed), done: Number(done) === 1 };
  }

  async stats(): Promise<number[]> {
    const k = this.keys;
    const reply = (await this.script('stats')(
      [
        k.meta,
        k.wait,
        k.prio,
        k.delayed,
        k.active,
        k.completed,
        k.failed,
        k.jobs,
        k.metrics,
        k.tomb,
        k.gwait,
        k.gage,
      ],
      [],
    )) as number[];
    return reply.map(Number);
  }

  /** Per-minute (`m`) or per-hour (`h`) counts: see `history.lua` for the reply. */
  async history(unit: 'm' | 'h', count: number): Promise<number[]> {
    const reply = (await this.script('history')([this.keys.metrics], [unit, count])) as number[];
    return reply.map(Number);
  }

  /**
   * One page of a state, in `order`: `'run'` lists waiting jobs (the `wait` list and the `prio`
   * zset in the order fetch takes them, then the grouped ones of `gwait` by group);
   * `'asc'` / `'desc'` list `setKey` (a zset) by score.
   */
  async list(
    order: ListOrder,
    setKey: string,
    start: number,
    count: number,
  ): Promise<{
    total: number;
    rows: { id: string; score: string; record: string; info: string; result: string }[];
  }> {
    const k = this.keys;
    const keys = [k.jobs, k.info, k.results, setKey];
    if (order === 'run') keys.push(k.prio, k.gwait);
    const reply = (await this.script('list')(keys, [order, start, count])) as (string | number)[];
    const rows = [];
    for (let i = 1; i < reply.length; i += 5) {
      rows.push({
        id: String(reply[i]),
        score: String(reply[i + 1]),
        record: String(reply[i + 2]),
        info: String(reply[i + 3]),
        result: String(reply[i + 4]),
      });
    }
    return { total: Number(reply[0]), rows };
  }

  /** One page of the jobs indexed under `entity`, newest first, each with its state. */
  async listEntity(
    entity: string,
    start: number,
    count: number,
  ): Promise<{
    total: number;
    rows: {
      id: string;
      state: string;
      score: string;
      record: string;
      info: string;
      result: string;
    }[];
  }> {
    const k = this.keys;
    const reply = (await this.script('list_entity')(
      [k.entity, k.jobs, k.info, k.results, k.delayed, k.active, k.completed, k.failed],
      [entity, start, count],
    )) as (string | number)[];
    const rows = [];
    for (let i = 1; i < reply.length; i += 6) {
      rows.push({
        id: String(reply[i]),
        state: String(reply[i + 1]),
        score: String(reply[i + 2]),
        record: String(reply[i + 3]),
        info: String(reply[i + 4]),
        result: String(reply[i + 5]),
      });
    }
    return { total: Number(reply[0]), rows };
  }

  async getJob(id: string): Promise<
    | {
        state: string;
        score: string;
        record: string;
        info: string;
        result: string;
        progress: string;
        logs: string;
        /** Start of the running attempt (ms), '' unless active. */
        started: string;
      }
    | undefined
  > {
    const k = this.keys;
    const reply = (await this.script('get_job')(
      [
        k.prio,
        k.delayed,
        k.active,
        k.completed,
        k.failed,
        k.jobs,
        k.info,
        k.results,
        k.progress,
        k.logs,
        k.lease,
      ],
      [id],
    )) as string[];
    if (reply.length === 0) return undefined;
    const [state, score, record, info, result, progress, logs, started = ''] = reply as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return { state, score, record, info, result, progress, logs, started };
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
