/**
 * One typed wrapper per topic script: the only place that knows each script's KEYS/ARGV order
 * and reply shape (the `.lua` headers document the same).
 */
import { SluiceError } from '../errors.js';
import { deadLetterKey, type TopicKeys } from '../redis/keys.js';
import type { CommandConnection } from '../redis/command-connection.js';
import type { Retention } from './options.js';

/** Why entries after a reader's position are missing (`''`: they are not). */
export type RawTruncation = '' | 'trimmed' | 'epoch';

/** What `stream_range` returns. */
export interface RawRange {
  /** null when the topic does not exist. */
  epoch: string | null;
  /** Id of the newest entry, `'0-0'` when there is none. */
  lastId: string;
  /** Id of the oldest entry, null when there is none. */
  firstId: string | null;
  truncated: RawTruncation;
  /** The entries read, oldest first, data still JSON text. */
  rows: { id: string; data: string }[];
}

/** What `stream_info` returns for a topic that exists. */
export interface RawInfo {
  epoch: string;
  length: number;
  firstId: string | null;
  lastId: string;
  /** Greatest id retention removed, null if it never removed one. */
  trimmedId: string | null;
  /** Remaining idle lifetime in ms, -1 when the topic does not expire. */
  ttlMs: number;
  entriesAdded: number;
  groups: { name: string; lastSeenMs: number }[];
}

/** Everything a publish needs beyond the entries. */
export interface PublishSpec {
  topicName: string;
  retention: Retention;
  idempotencyWindowMs: number;
  inlineMaxBytes: number;
  /** The feed partition this topic appends pointers to, with its retention. */
  feed?: { keys: TopicKeys; retention: Retention };
}

/** What `stream_publish` returns: the topic's epoch, and per entry its id and whether it was a repeat. */
export interface PublishReply {
  epoch: string;
  results: { id: string; duplicate: boolean }[];
}

function retentionArgs(r: Retention): (string | number)[] {
  return [r.maxLen, r.maxAgeMs, r.ttlMs, r.protect ? '1' : '0', r.groupLiveMs];
}

/** Tries of a delete that races with groups being created (see `stream_delete.lua`). */
const DELETE_TRIES = 10;

/**
 * The scripts of one topic, bound to its keys.
 *
 * @example
 * ```ts
 * const commands = new TopicCommands(conn, topicKeys('sluice', 'orders'));
 * const tail = await commands.range('tail', '0-0', '', 0);
 * ```
 */
export class TopicCommands {
  constructor(
    private readonly conn: CommandConnection,
    readonly keys: TopicKeys,
  ) {}

  /** Appends `entries` (JSON text, with an idempotency key or `''`) in one atomic step. */
  async publish(
    spec: PublishSpec,
    epochCandidate: string,
    entries: readonly { key: string; data: string }[],
  ): Promise<PublishReply> {
    const k = this.keys;
    const keys = [k.stream, k.meta, k.idem, k.idemz, k.errors];
    const args: (string | number)[] = [
      epochCandidate,
      k.live,
      ...retentionArgs(spec.retention),
      spec.idempotencyWindowMs,
      spec.inlineMaxBytes,
      entries.length,
    ];
    for (const e of entries) args.push(e.key, e.data);
    if (spec.feed) {
      const f = spec.feed.keys;
      keys.push(f.stream, f.meta, f.idem, f.idemz, f.errors);
      args.push(epochCandidate, f.live, ...retentionArgs(spec.feed.retention), spec.topicName);
    }
    const reply = (await this.conn.script('stream_publish', keys, args)) as (string | number)[];
    const results: PublishReply['results'] = [];
    for (let i = 1; i < reply.length; i += 2)
      results.push({ id: String(reply[i]), duplicate: reply[i + 1] === 1 });
    return { epoch: String(reply[0]), results };
  }

  /** Reads entries (or just the state) with the epoch and truncation (see `stream_range.lua`). */
  async range(
    mode: 'after' | 'latest' | 'tail' | 'at',
    id: string,
    epoch: string,
    limit: number,
  ): Promise<RawRange> {
    const k = this.keys;
    const [e, lastId, firstId, truncated, flat] = (await this.conn.script(
      'stream_range',
      [k.stream, k.meta],
      [mode, id, epoch, limit],
    )) as [string, string, string, RawTruncation, string[]];
    const rows: RawRange['rows'] = [];
    for (let i = 0; i < flat.length; i += 2) rows.push({ id: flat[i]!, data: flat[i + 1]! });
    return { epoch: e === '' ? null : e, lastId, firstId: firstId || null, truncated, rows };
  }

  /** The topic's state in one step, or undefined when it does not exist. */
  async info(): Promise<RawInfo | undefined> {
    const k = this.keys;
    const r = (await this.conn.script('stream_info', [k.stream, k.meta], [])) as unknown[];
    if (r.length === 0) return undefined;
    const flat = r[7] as string[];
    const groups: RawInfo['groups'] = [];
    for (let i = 0; i < flat.length; i += 2)
      groups.push({ name: flat[i]!, lastSeenMs: Number(flat[i + 1]) });
    return {
      epoch: String(r[0]),
      length: Number(r[1]),
      firstId: (r[2] as string) || null,
      lastId: String(r[3]),
      trimmedId: (r[4] as string) || null,
      ttlMs: Number(r[5]),
      entriesAdded: Number(r[6]),
      groups,
    };
  }

  /**
   * Deletes the topic with the dead-letter streams of all its groups; true if the topic existed.
   * A group created between reading the groups and deleting makes the script refuse; it then
   * reads them again.
   */
  async delete(): Promise<boolean> {
    const k = this.keys;
    for (let attempt = 1; attempt <= DELETE_TRIES; attempt++) {
      const fields = await this.conn.run((c) => c.hkeys(k.meta), 'HKEYS');
      const groups = fields.filter((f) => f.startsWith('g:')).map((f) => f.slice(2));
      const reply = await this.conn.script(
        'stream_delete',
        [k.stream, k.meta, k.idem, k.idemz, k.errors, ...groups.map((g) => deadLetterKey(k, g))],
        groups,
      );
      if (reply !== -1) return reply === 1;
    }
    throw new SluiceError(
      'SLC_ERR_SCRIPT',
      `deleting ${k.stream} raced with groups being created ${DELETE_TRIES} times in a row`,
    );
  }
}
