/**
 * The one decoder of job rows: scripts reply with flat arrays of fixed-width rows (a header of
 * counts first), and every wrapper reads them here.
 */
import type { FetchReply, LeasedJob } from './types.js';

/** Fields of a leased job, in `reap`'s reply order (fetch and complete pack theirs: {@link parseFetch}). */
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

/**
 * A fetch reply at `reply[from]`: now, the next due time, the jobs' heads (`id, token, info` per
 * job, joined by NUL: one reply value for all), then one record per job (lua/includes/fetch.lua).
 */
export function parseFetch(reply: readonly unknown[], from: number): FetchReply {
  const first = from + 3;
  const jobs: LeasedJob[] = new Array<LeasedJob>(Math.max(reply.length - first, 0));
  if (jobs.length > 0) {
    const heads = (reply[from + 2] as string).split('\0');
    for (let i = 0; i < jobs.length; i++)
      jobs[i] = {
        id: heads[3 * i]!,
        token: heads[3 * i + 1]!,
        record: reply[first + i] as string,
        info: heads[3 * i + 2]!,
      };
  }
  const exact = Number(reply[from]); // `<ms>.<µs>` from fetch and complete
  return { now: Math.floor(exact), nowExact: exact, nextDue: Number(reply[from + 1]), jobs };
}
