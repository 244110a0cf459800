/** The data types of streams, shared by topics, subscriptions, groups and feeds. */
import type { Position } from './position.js';

/** One entry of a topic. Entries handed to several readers are shared: do not mutate them. */
export interface StreamEntry<T = unknown> {
  /** Where the entry sits: keep it to resume after it (`<epoch>:<ms>-<seq>`). */
  position: Position;
  /** The Redis stream id `<ms>-<seq>` (ordered within one epoch). */
  id: string;
  /** When it was appended: ms since 1970 by the Redis clock. */
  time: number;
  /** The published value (parsed from JSON). */
  data: T;
}

/** An entry of an ephemeral topic: no position, since there is no history to resume in. */
export interface EphemeralEntry<T = unknown> {
  /** Always null: nothing to resume from. */
  position: null;
  /** When it was published: ms since 1970 by the publisher's clock. */
  time: number;
  /** The published value (parsed from JSON). */
  data: T;
}

/**
 * Entries a reader asked for that it will not get:
 * - `trimmed`: retention removed entries after the reader's position; reading resumes at the
 *   oldest kept entry (`firstAvailable`).
 * - `epoch`: the position belongs to an earlier life of the topic (it was deleted or expired,
 *   and maybe created again); reading restarts at the beginning of the current epoch.
 * - `ephemeral`: an ephemeral topic (which keeps no history) could not give what was asked: a
 *   resume position was given, or the connection dropped and messages may have been missed.
 * - `overflow`: an ephemeral subscriber fell more than its buffer behind; entries were dropped.
 */
export interface Truncation {
  /** Why entries are missing (see above). */
  reason: 'trimmed' | 'epoch' | 'ephemeral' | 'overflow';
  /** The oldest entry still kept, or null if none (or unknown). */
  firstAvailable: Position | null;
}

/** What a subscription yields: an entry, or notice that entries were lost (never silently). */
export type SubscriptionEvent<E> =
  { type: 'entry'; entry: E } | { type: 'truncated'; truncation: Truncation };

/** A page of entries read with `range`. */
export interface RangePage<T = unknown> {
  /** The entries after `after`, oldest first (at most `limit`). */
  entries: StreamEntry<T>[];
  /** The topic's current epoch, or null if the topic does not exist. */
  epoch: string | null;
  /** Set when entries after `after` are gone (see {@link Truncation}). */
  truncated: Truncation | null;
  /** Position to pass as `after` for the next page (the last entry read, or `after`). */
  next: Position;
  /** True when the topic holds entries after this page. */
  hasMore: boolean;
}

/** The state of a topic, read in one step. */
export interface TopicInfo {
  /** False when the topic has no stream (never published to, deleted, or expired). */
  exists: boolean;
  /** The current epoch, or null when it does not exist. */
  epoch: string | null;
  /** Entries kept now. */
  length: number;
  /** Position of the oldest kept entry, or null if none. */
  first: Position | null;
  /** Position of the newest entry, or null if none. */
  last: Position | null;
  /** Entries ever appended in this epoch (including those trimmed since). */
  entriesAdded: number;
  /** Remaining idle lifetime in ms, or null when the topic does not expire. */
  ttlMs: number | null;
  /** Consumer groups registered on the topic, with when their consumers were last seen. */
  groups: { name: string; lastSeenMs: number }[];
}

/** What publish returns per entry. */
export interface Published {
  /** The entry's position (with `duplicate`, the position of the first publish with the key). */
  position: Position;
  /** True when the idempotency key was seen within the window: nothing was appended. */
  duplicate: boolean;
}
