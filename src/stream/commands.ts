/**
 * One typed wrapper per topic script: the only place that knows each script's KEYS/ARGV order
 * and reply shape (the `.lua` headers document the same).
 */
import type { TopicKeys } from '../redis/keys.js';
import { script } from '../redis/scripts.js';
import type { CommandConnection } from './command-connection.js';
import type { Retention } from './options.js';

/** Why entries after a reader's position are missing. */
export type RawTruncation = '' | 'trimmed' | 'epoch';

/** What `stream_range` returns. */
export interface RawRange {
  /** null when the topic does not exist. */
  epoch: string | null;
  lastId: string;
  firstId: string | null;
  truncated: RawTruncation;
  rows: { id: string; data: string }[];
}

export interface RawInfo {
  epoch: string;
  length: number;
  firstId: string | null;
  lastId: string;
  trimmedId: string | null;
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
  feed?: { keys: TopicKeys; retention: Retention };
}

export interface PublishReply {
  epoch: string;
  results: { id: string; duplicate: boolean }[];
}

function retentionArgs(r: Retention): (string | number)[] {
  return [r.maxLen, r.maxAgeMs, r.ttlMs, r.protect ? '1' : '0', r.groupLiveMs];
}

export class TopicCommands {
  constructor(
    private readonly conn: CommandConnection,
    readonly keys: TopicKeys,
  ) {}

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
    const reply = (await this.conn.run((c) => script(c, 'stream_publish')(keys, args))) as (
      string | number
    )[];
    const results: PublishReply['results'] = [];
    for (let i = 1; i < reply.length; i += 2)
      results.push({ id: String(reply[i]), duplicate: reply[i + 1] === 1 });
    return { epoch: String(reply[0]), results };
  }

  async range(
    mode: 'after' | 'latest' | 'tail' | 'at',
    id: string,
    epoch: string,
    limit: number,
  ): Promise<RawRange> {
    const k = this.keys;
    const [e, lastId, firstId, truncated, flat] = (await this.conn.run((c) =>
      script(c, 'stream_range')([k.stream, k.meta], [mode, id, epoch, limit]),
    )) as [string, string, string, RawTruncation, string[]];
    const rows: RawRange['rows'] = [];
    for (let i = 0; i < flat.length; i += 2) rows.push({ id: flat[i]!, data: flat[i + 1]! });
    return { epoch: e === '' ? null : e, lastId, firstId: firstId || null, truncated, rows };
  }

  async info(): Promise<RawInfo | undefined> {
    const k = this.keys;
    const r = (await this.conn.run((c) =>
      script(c, 'stream_info')([k.stream, k.meta], []),
    )) as unknown[];
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

  /** Deletes the topic and the given dead-letter streams; true if the topic existed. */
  async delete(deadLetterKeys: readonly string[]): Promise<boolean> {
    const k = this.keys;
    const reply = await this.conn.run((c) =>
      script(c, 'stream_delete')(
        [k.stream, k.meta, k.idem, k.idemz, k.errors, ...deadLetterKeys],
        [],
      ),
    );
    return reply === 1;
  }
}
