/**
 * The Pub/Sub message a publish sends to live readers (built in `stream_publish.lua`): lines
 * `epoch`, `prevId`, `count`, `inline`, then `count` ids, then (if inline) `count` JSON data.
 * JSON text has no raw newline, so lines split cleanly. `prevId` is the entry before the first
 * one: a reader that has not seen exactly `prevId` last knows it missed something.
 */
import { formatPosition, idTime } from './position.js';
import type { StreamEntry } from './types.js';

/** A published entry as a live reader learns of it. */
export interface LiveEntry {
  id: string;
  /** Id of the entry before it ('0-0' for the first). */
  prev: string;
  /** Parsed entry, or undefined when the data was too large to travel inline. */
  entry: StreamEntry | undefined;
}

/** One decoded notification: the entries one publish appended, in order. */
export interface LiveBatch {
  epoch: string;
  entries: LiveEntry[];
}

/**
 * Decodes a notification; undefined if malformed (the reader then treats it as a gap).
 *
 * @example
 * ```ts
 * decodeNotification('e1\n0-0\n1\n1\n5-0\n"hi"') // { epoch: 'e1', entries: [{ id: '5-0', prev: '0-0', … }] }
 * ```
 */
export function decodeNotification(message: string): LiveBatch | undefined {
  const lines = message.split('\n');
  const [epoch, prev, countText, inline] = lines;
  const count = Number(countText);
  if (!epoch || !prev || !Number.isInteger(count) || count < 1) return undefined;
  const withData = inline === '1';
  if (lines.length !== 4 + count * (withData ? 2 : 1)) return undefined;
  const entries: LiveEntry[] = [];
  let before = prev;
  for (let i = 0; i < count; i++) {
    const id = lines[4 + i]!;
    let entry: StreamEntry | undefined;
    if (withData) {
      let data: unknown;
      try {
        data = JSON.parse(lines[4 + count + i]!);
      } catch {
        return undefined;
      }
      entry = { position: formatPosition(epoch, id), id, time: idTime(id), data };
    }
    entries.push({ id, prev: before, entry });
    before = id;
  }
  return { epoch, entries };
}
