/**
 * The one decoder of job rows: scripts reply with flat arrays of fixed-width rows (a header of
 * counts first), and every wrapper reads them here.
 */
import type { FetchReply, LeasedJob } from './types.js';

/** Fields of a leased job, in reply order (fetch, complete, reap). */
export const LEASED_FIELDS = ['id', 'token', 'record', 'info'] as const;
/** Fields of a `list` row. */
export const LIST_FIELDS = ['id', 'score', 'record', 'info', 'result'] as const;
/** Fields of a `list_entity` row. */
export const ENTITY_FIELDS = ['id', 'state', 'score', 'record', 'info', 'result'] as const;

/** Rows of `fields.length` strings each, from `reply[from]` to the end. */
export function decodeRows<F extends string>(
  reply: readonly unknown[],
  from: number,
  fields: readonly F[],
): Record<F, string>[] {
  const rows: Record<F, string>[] = [];
  for (let i = from; i < reply.length; i += fields.length) {
    const row = {} as Record<F, string>;
    for (let f = 0; f < fields.length; f++) row[fields[f]!] = String(reply[i + f]);
    rows.push(row);
  }
  return rows;
}

/** A fetch reply at `reply[from]`: now, the next due time, then leased jobs. */
export function parseFetch(reply: readonly unknown[], from: number): FetchReply {
  const jobs: LeasedJob[] = decodeRows(reply, from + 2, LEASED_FIELDS);
  const exact = Number(reply[from]); // `<ms>.<µs>` from fetch and complete
  return { now: Math.floor(exact), nowExact: exact, nextDue: Number(reply[from + 1]), jobs };
}
