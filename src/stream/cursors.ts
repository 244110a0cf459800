/**
 * Cursors and unread counts (the chat scenario). A cursor is the last position delivered to
 * one client of one user on one topic; it only moves forward within an epoch and expires after
 * `cursorTtlMs` without a write (default 30 days). An unread count is per user and topic and
 * expires after `unreadTtlMs` without a write (default 24 hours). "What did I miss" is a range
 * after the cursor. All keys of a user share one hash slot. Get one from {@link Streams.cursors}.
 *
 * @example
 * ```ts
 * const cursors = streams.cursors();
 * await cursors.addUnread('bob', 'conv:7');
 * const missed = await cursors.missed(conv, 'bob', 'phone');
 * await cursors.set('bob', 'phone', 'conv:7', missed.next, { clearUnread: true });
 * ```
 */
import { PositionError } from '../errors.js';
import { validateName } from '../validate.js';
import { cursorKey, unreadKey } from '../redis/keys.js';
import type { Hub } from './hub.js';
import {
  KEYS,
  assertNoProblems,
  optionProblems,
  optionsOf,
  validateMemberName,
} from './options.js';
import { START, parsePosition, type Position } from './position.js';
import type { Topic } from './topic.js';
import type { RangePage } from './types.js';

/** Lifetimes of cursors and unread counts. */
export interface CursorOptions {
  /** Lifetime of a cursor after its last write, ms; default 30 days. */
  cursorTtlMs?: number;
  /** Lifetime of an unread count after its last write, ms; default 24 hours. */
  unreadTtlMs?: number;
}

const DAY = 86_400_000;

/**
 * Cursors and unread counts (see the file notes). Get one from `streams.cursors()`.
 *
 * @example
 * ```ts
 * const cursors = streams.cursors({ cursorTtlMs: 7 * 86_400_000 });
 * await cursors.set('bob', 'phone', 'conv:7', entry.position);
 * const missed = await cursors.missed(conv, 'bob', 'phone');
 * ```
 */
export class Cursors {
  private readonly cursorTtlMs: number;
  private readonly unreadTtlMs: number;

  /** @internal use `streams.cursors()` */
  constructor(
    private readonly hub: Hub,
    options: CursorOptions = {},
  ) {
    const { o: opts, problems } = optionsOf(options, 'cursor options', KEYS.cursors);
    problems.push(
      ...optionProblems([
        ['cursorTtlMs', opts.cursorTtlMs, 'age>0'],
        ['unreadTtlMs', opts.unreadTtlMs, 'age>0'],
      ]),
    );
    assertNoProblems(problems);
    this.cursorTtlMs = opts.cursorTtlMs ?? 30 * DAY;
    this.unreadTtlMs = opts.unreadTtlMs ?? DAY;
  }

  /** The client's cursor on `topic`, or null if none (or expired). */
  async get(user: string, client: string, topic: string): Promise<Position | null> {
    this.hub.assertOpen();
    const key = cursorKey(this.hub.prefix, ...this.names(user, client, topic));
    return this.hub.conn.run((c) => c.get(key), 'GET');
  }

  /**
   * Stores the client's cursor (forward only within an epoch; a position of a newer epoch
   * replaces it) and refreshes its TTL; `clearUnread` also clears the user's unread count on
   * the topic, in the same step. Resolves with the cursor now stored.
   */
  async set(
    user: string,
    client: string,
    topic: string,
    position: Position,
    opts: { clearUnread?: boolean } = {},
  ): Promise<Position> {
    this.hub.assertOpen();
    const { o, problems } = optionsOf(opts, 'cursor set options', KEYS.cursorSet);
    if (o.clearUnread !== undefined && typeof o.clearUnread !== 'boolean')
      problems.push('clearUnread must be a boolean');
    assertNoProblems(problems);
    const [u, c, t] = this.names(user, client, topic);
    if (position === START || parsePosition(position).epoch === '')
      return (await this.get(u, c, t)) ?? START;
    const keys = [cursorKey(this.hub.prefix, u, c, t), unreadKey(this.hub.prefix, u, t)];
    const stored = await this.hub.conn.script('stream_cursor_set', keys, [
      position,
      this.cursorTtlMs,
      o.clearUnread ? '1' : '0',
    ]);
    if (stored === null)
      throw new PositionError(
        position,
        `position ${position} is ahead of Redis's clock: not one that publish returned`,
      );
    return String(stored);
  }

  /** Adds `by` (default 1) to the user's unread count on `topic`; resolves with the new count. */
  async addUnread(user: string, topic: string, by = 1): Promise<number> {
    this.hub.assertOpen();
    assertNoProblems(Number.isSafeInteger(by) ? [] : ['by must be an integer']);
    const key = unreadKey(
      this.hub.prefix,
      validateMemberName('user', user),
      validateName('topic', topic),
    );
    return Number(await this.hub.conn.script('stream_unread_add', [key], [by, this.unreadTtlMs]));
  }

  /** The user's unread counts on `topics` (0 where none), read in one step. */
  async unread(user: string, topics: readonly string[]): Promise<Record<string, number>> {
    this.hub.assertOpen();
    validateMemberName('user', user);
    assertNoProblems(Array.isArray(topics) ? [] : ['topics must be an array of topic names']);
    const out: Record<string, number> = {};
    if (topics.length === 0) return out;
    const keys = topics.map((t) => unreadKey(this.hub.prefix, user, validateName('topic', t)));
    const values = await this.hub.conn.run((c) => c.mget(...keys), 'MGET');
    // defined, not assigned: a topic named `__proto__` is a count like any other
    topics.forEach((t, i) =>
      Object.defineProperty(out, t, {
        value: Number(values[i] ?? 0),
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    );
    return out;
  }

  /** What the client missed on `topic`: a page after its cursor (from the start if none). */
  async missed<T>(
    topic: Topic<T>,
    user: string,
    client: string,
    opts: { limit?: number } = {},
  ): Promise<RangePage<T>> {
    const { o, problems } = optionsOf(opts, 'missed options', KEYS.limit);
    assertNoProblems(problems);
    const after = (await this.get(user, client, topic.name)) ?? START;
    return topic.range({ after, limit: o.limit });
  }

  private names(user: string, client: string, topic: string): [string, string, string] {
    return [
      validateMemberName('user', user),
      validateMemberName('client', client),
      validateName('topic', topic),
    ];
  }
}
