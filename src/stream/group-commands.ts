/**
 * One typed wrapper per consumer-group script (KEYS/ARGV order and reply shape in one place;
 * the `.lua` headers document the same), plus the one plain command a consumer sends:
 * XREADGROUP on its blocking connection.
 */
import type { RedisClient } from '../redis/connection.js';
import { deadLetterKey, type TopicKeys } from '../redis/keys.js';
import type { CommandConnection } from '../redis/command-connection.js';

/** An entry handed to this consumer, with how many times it has been delivered. */
export interface Delivery {
  id: string;
  deliveries: number;
  data: string;
}

/** What `stream_group_stats` returns for a group that exists (see its `.lua` header). */
export interface RawGroupStats {
  now: number;
  lastDeliveredId: string;
  lag: number;
  pending: number;
  oldestPendingId: string | null;
  deadLetters: number;
  length: number;
  lastSeenMs: number | null;
  consumers: { name: string; pending: number; idleMs: number }[];
}

/**
 * Group scripts bound to one group on one topic.
 *
 * @example
 * ```ts
 * const g = new GroupCommands(conn, topicKeys('sluice', 'orders'), 'billing');
 * await g.create('0', newEpoch(), 0);
 * ```
 */
export class GroupCommands {
  /** The group's dead-letter stream. */
  readonly dlq: string;

  constructor(
    private readonly conn: CommandConnection,
    readonly keys: TopicKeys,
    readonly group: string,
  ) {
    this.dlq = deadLetterKey(keys, group);
  }

  private run(name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.conn.script(name, keys, args);
  }

  /** Creates the group (and the topic) if missing; resolves with the topic's epoch. */
  async create(start: '0' | '$', epochCandidate: string, ttlMs: number): Promise<string> {
    const k = this.keys;
    const [epoch] = (await this.run(
      'stream_group_create',
      [k.stream, k.meta, k.idem, k.idemz, k.errors],
      [this.group, start, epochCandidate, ttlMs],
    )) as [string, number];
    return epoch;
  }

  /** Heartbeat; returns null if the topic or group is gone, else the ids no longer owned. */
  async touch(consumer: string, ids: readonly string[]): Promise<string[] | null> {
    const [status, ...lost] = (await this.run(
      'stream_group_touch',
      [this.keys.stream, this.keys.meta, this.dlq],
      [this.group, consumer, ...ids],
    )) as [number, ...string[]];
    return status === 1 ? lost : null;
  }

  /** Acks entries (and forgets their errors); resolves with how many were pending. */
  async ack(ids: readonly string[]): Promise<number> {
    return Number(
      await this.run(
        'stream_group_ack',
        [this.keys.stream, this.keys.errors],
        [this.group, ...ids],
      ),
    );
  }

  /**
   * A failed delivery (`fail`), or one given back on shutdown (`unrun`: never started, the
   * delivery is not counted; `abandon`: started, not finished). 0 = not ours any more,
   * 1 = will be retried, 2 = dead-lettered.
   */
  async nack(
    consumer: string,
    id: string,
    error: string,
    opts: {
      maxDeliveries: number;
      idleMs: number;
      dlqMaxLen: number;
      mode: 'fail' | 'unrun' | 'abandon';
    },
  ): Promise<0 | 1 | 2> {
    const k = this.keys;
    return Number(
      await this.run(
        'stream_group_nack',
        [k.stream, k.meta, k.errors, this.dlq],
        [
          this.group,
          consumer,
          id,
          error,
          opts.maxDeliveries,
          opts.idleMs,
          opts.dlqMaxLen,
          opts.mode,
        ],
      ),
    ) as 0 | 1 | 2;
  }

  /**
   * Takes over entries idle for `minIdleMs` (only `consumer`'s own with `ownOnly`): claims
   * them, or dead-letters those delivered `maxDeliveries` times (with their last error). One
   * call looks at no more than `10 × count` pending entries, going on from where the group's
   * last call stopped; `more` says the pending list was not looked at to its end.
   */
  async reclaim(
    consumer: string,
    minIdleMs: number,
    count: number,
    maxDeliveries: number,
    dlqMaxLen: number,
    ownOnly: boolean,
  ): Promise<{
    ok: boolean;
    epoch: string;
    claimed: Delivery[];
    dead: { id: string; error: string }[];
    more: boolean;
  }> {
    const k = this.keys;
    const [status, epoch, flat, deadFlat, cursor] = (await this.run(
      'stream_group_reclaim',
      [k.stream, k.meta, k.errors, this.dlq],
      [this.group, consumer, minIdleMs, count, maxDeliveries, dlqMaxLen, ownOnly ? '1' : '0'],
    )) as [number, string, (string | number)[], string[], string];
    const claimed: Delivery[] = [];
    for (let i = 0; i < flat.length; i += 3)
      claimed.push({
        id: String(flat[i]),
        deliveries: Number(flat[i + 1]),
        data: String(flat[i + 2]),
      });
    const dead: { id: string; error: string }[] = [];
    for (let i = 0; i < deadFlat.length; i += 2)
      dead.push({ id: deadFlat[i]!, error: deadFlat[i + 1]! });
    return { ok: status === 1, epoch, claimed, dead, more: cursor !== '0' };
  }

  /** One consistent snapshot of the group on this topic, or undefined if it does not exist. */
  async stats(lagCap: number): Promise<RawGroupStats | undefined> {
    const k = this.keys;
    const r = (await this.run(
      'stream_group_stats',
      [k.stream, k.meta, this.dlq],
      [this.group, lagCap],
    )) as unknown[];
    if (r.length === 0) return undefined;
    const flat = r[8] as (string | number)[];
    const consumers: RawGroupStats['consumers'] = [];
    for (let i = 0; i < flat.length; i += 3)
      consumers.push({
        name: String(flat[i]),
        pending: Number(flat[i + 1]),
        idleMs: Number(flat[i + 2]),
      });
    return {
      now: Number(r[0]),
      lastDeliveredId: String(r[1]),
      lag: Number(r[2]),
      pending: Number(r[3]),
      oldestPendingId: (r[4] as string) || null,
      deadLetters: Number(r[5]),
      length: Number(r[6]),
      lastSeenMs: Number(r[7]) >= 0 ? Number(r[7]) : null,
      consumers,
    };
  }

  /** 1 = removed, 0 = no such consumer, -1 = it owns pending entries (kept). */
  async removeConsumer(consumer: string): Promise<{ status: 1 | 0 | -1; pending: number }> {
    const [status, pending] = (await this.run(
      'stream_group_remove_consumer',
      [this.keys.stream],
      [this.group, consumer],
    )) as [number, number];
    return { status: status as 1 | 0 | -1, pending };
  }

  /** Deletes the group with its pending list, errors and dead letters; true if it existed. */
  async destroy(): Promise<boolean> {
    const k = this.keys;
    return (
      (await this.run(
        'stream_group_destroy',
        [k.stream, k.meta, k.errors, this.dlq],
        [this.group],
      )) === 1
    );
  }

  /** Reads the dead-letter stream after stream id `after`. */
  async deadLetters(
    after: string,
    limit: number,
  ): Promise<{ id: string; fields: Record<string, string> }[]> {
    const rows = (await this.conn.run(
      (c) => c.xrange(this.dlq, `(${after}`, '+', 'COUNT', limit),
      'XRANGE',
    )) as [string, string[]][];
    return rows.map(([id, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      return { id, fields };
    });
  }

  /**
   * New entries for `consumer` (XREADGROUP `>`), blocking up to `blockMs` on `client` — a
   * connection of the consumer's own. Throws NOGROUP if the group (or topic) is gone.
   */
  async readNew(
    client: RedisClient,
    consumer: string,
    count: number,
    blockMs: number,
  ): Promise<Delivery[]> {
    const reply = (await client.xreadgroup(
      'GROUP',
      this.group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.keys.stream,
      '>',
    )) as [string, [string, string[] | null][]][] | null;
    const out: Delivery[] = [];
    for (const [, rows] of reply ?? [])
      for (const [id, flat] of rows) {
        let data = 'null';
        if (flat) for (let i = 0; i < flat.length; i += 2) if (flat[i] === 'd') data = flat[i + 1]!;
        out.push({ id, deliveries: 1, data });
      }
    return out;
  }
}
