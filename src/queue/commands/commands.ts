/**
 * One typed wrapper per queue script: the only place that knows each script's KEYS/ARGV order
 * and reply shape (the `.lua` headers document the same). The wrappers come in families:
 * `base.ts` (connection, `call`, shared keys), `lifecycle.ts` (the job lifecycle) and here the
 * admin and read wrappers; `QueueCommands` is the one class the rest of the library uses.
 */
import { extraKeys, groupKeys, removalKeys } from './base.js';
import { decodeRows, ENTITY_FIELDS, LIST_FIELDS } from './job-row.js';
import { JobLifecycleCommands } from './lifecycle.js';
import type { ListOrder, StoredLimits } from './types.js';

export { removalKeys } from './base.js';
export type {
  AddSpec,
  CompleteReply,
  FetchReply,
  LeasedJob,
  ListOrder,
  Retention,
  StoredLimits,
} from './types.js';

/**
 * Script wrappers bound to one queue on one connection: a `CommandConnection` (calls ride
 * out a short loss of Redis, then fail with `SLC_ERR_CONNECTION`), or a plain client (tests).
 */
export class QueueCommands extends JobLifecycleCommands {
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
    return { total: Number(reply[0]), rows: decodeRows(reply, 1, LIST_FIELDS) };
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
    return { total: Number(reply[0]), rows: decodeRows(reply, 1, ENTITY_FIELDS) };
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
}
