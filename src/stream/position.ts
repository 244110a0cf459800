/**
 * Positions: where an entry sits in a topic, as a string a client can keep and send back.
 *
 * A position is `<epoch>:<ms>-<seq>`: the entry's Redis stream id, prefixed with the epoch of
 * the topic — a random token chosen when the topic is created. A topic that is deleted (or
 * expires) and is created again gets a new epoch, so a position from its earlier life is never
 * mistaken for one of the new life. `'0'` is the position before the first entry of any epoch.
 */
import { PositionError } from '../errors.js';
import { describeThrown } from '../thrown.js';

/** An entry's position: `<epoch>:<ms>-<seq>`, or `'0'` for "before the first entry". */
export type Position = string;

/** The position before the first entry, in any epoch. */
export const START: Position = '0';

const POSITION_RE = /^([0-9a-z]{1,32}):(\d{1,20})-(\d{1,20})$/;
/** Each part of a Redis stream id is an unsigned 64-bit integer. */
const MAX_ID_PART = 2n ** 64n - 1n;

/** A position taken apart. `epoch` is `''` for {@link START}. */
export interface ParsedPosition {
  epoch: string;
  /** The stream id `<ms>-<seq>` (`'0-0'` for {@link START}). */
  id: string;
}

/**
 * Parses a position; throws `SLC_ERR_INVALID_POSITION` if malformed.
 *
 * @example
 * ```ts
 * parsePosition('k3x9a1:1700000000000-0') // { epoch: 'k3x9a1', id: '1700000000000-0' }
 * ```
 */
export function parsePosition(position: unknown): ParsedPosition {
  if (position === START) return { epoch: '', id: '0-0' };
  if (typeof position === 'string') {
    const m = POSITION_RE.exec(position);
    if (m) {
      const ms = BigInt(m[2]!);
      const seq = BigInt(m[3]!);
      if (ms <= MAX_ID_PART && seq <= MAX_ID_PART) return { epoch: m[1]!, id: `${ms}-${seq}` };
    }
  }
  const shown = typeof position === 'string' ? position : describeThrown(position).message;
  throw new PositionError(
    shown,
    `invalid position ${JSON.stringify(shown)}: expected '<epoch>:<ms>-<seq>' (as returned by publish) or '0'`,
  );
}

/** Builds a position from an epoch and a stream id. */
export function formatPosition(epoch: string, id: string): Position {
  return `${epoch}:${id}`;
}

/** Time (ms since 1970, Redis clock) at which the entry with stream id `id` was appended. */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Compares two stream ids `<ms>-<seq>` (no leading zeros): negative, 0 or positive. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  const byMs = compareDigits(a.slice(0, da), b.slice(0, db));
  return byMs !== 0 ? byMs : compareDigits(a.slice(da + 1), b.slice(db + 1));
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

let epochBase = '';
let epochSeq = 0;

/**
 * A fresh epoch candidate (used only if the call that carries it creates the topic): a random
 * per-process part and a counter, so each call carries a different one, cheaply.
 */
export function newEpoch(): string {
  if (epochSeq % 1_679_616 === 0) {
    // 36^4 candidates per random base; then a new base
    epochBase = '';
    while (epochBase.length < 6) epochBase += Math.random().toString(36).slice(2);
    epochBase = epochBase.slice(0, 6);
  }
  return epochBase + (epochSeq++ % 1_679_616).toString(36).padStart(4, '0');
}
