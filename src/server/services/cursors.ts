/**
 * The cursor and unread operations of the API as plain functions (typed input → typed output,
 * no HTTP types): each is one call on the library's `Cursors` (see docs/streams.md).
 */
import type { Cursors, Position } from '../../index.js';

/** The topic names of a `topics=a,b` query (duplicates dropped, order kept). */
export function topicList(topics: string): string[] {
  return [...new Set(topics.split(','))];
}

/** A client's cursor on each topic (null: none, or expired). */
export async function cursorsOf(cursors: Cursors, user: string, client: string, topics: string[]) {
  const out: Record<string, Position | null> = {};
  const values = await Promise.all(topics.map((t) => cursors.get(user, client, t)));
  topics.forEach((t, i) => (out[t] = values[i] ?? null));
  return { user, client, cursors: out };
}

/** Moves a cursor forward; answers the cursor now stored (an older position leaves it). */
export async function setCursor(
  cursors: Cursors,
  p: { user: string; client: string; topic: string },
  body: { position: string; clearUnread?: boolean },
) {
  const opts = body.clearUnread === undefined ? {} : { clearUnread: body.clearUnread };
  const position = await cursors.set(p.user, p.client, p.topic, body.position, opts);
  return { topic: p.topic, position };
}

/** A user's unread counts (0 where none), read in one step. */
export async function unreadOf(cursors: Cursors, user: string, topics: string[]) {
  return { user, unread: await cursors.unread(user, topics) };
}

/** Adds `by` (default 1) to a user's unread count on a topic. */
export async function addUnread(cursors: Cursors, user: string, topic: string, by = 1) {
  return { topic, unread: await cursors.addUnread(user, topic, by) };
}
