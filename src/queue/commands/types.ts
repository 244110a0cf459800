/** The shapes the queue script wrappers take and return (see `commands.ts`). */
/** A job handed out under lease. */
export interface LeasedJob {
  id: string;
  token: string;
  record: string;
  info: string;
}

/** Reply of a fetch step. */
export interface FetchReply {
  /** Redis time of the call, ms. */
  now: number;
  /** The same with its microseconds (what the delay timer arms from). */
  nowExact: number;
  /** Due time of the earliest delayed job (Redis clock, ms), or -1. */
  nextDue: number;
  jobs: LeasedJob[];
}

/** One job to add: already validated and serialised. */
export interface AddSpec {
  id: string;
  priority: number;
  delayMs: number;
  /** '' for none */
  dedupKey: string;
  dedupTtlMs: number;
  /** 0 for none: ms from the add during which the holder de-duplicates, in any state */
  dedupWindowMs?: number;
  /** '' for none: the entity the job is indexed under (see `Queue.getEntityJobs`) */
  entity: string;
  body: string;
  /** '' or undefined for none */
  group?: string;
}

/** Queue-wide limits as stored (see `Queue.setLimits`); undefined = none. */
export interface StoredLimits {
  concurrency?: number;
  rateMax?: number;
  rateDurationMs?: number;
  groupConcurrency?: number;
  groupRateMax?: number;
  groupRateDurationMs?: number;
}

/** Result of completing jobs: the acks rejected by fencing, and the next jobs. */
export interface CompleteReply extends FetchReply {
  stale: string[];
}

/** Order of a `list` page: waiting jobs in run order, or a zset by score. */
export type ListOrder = 'run' | 'asc' | 'desc';

export interface Retention {
  count: number;
  ageMs: number;
}
