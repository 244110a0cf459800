/**
 * Queue-wide limits, shared by every worker (stored in the queue's `meta` hash): global
 * concurrency, a rate limit per queue, and per group a concurrency and a rate limit of its own.
 * See docs/groups.md.
 */
import { ValidationError } from '../../errors.js';
import type { StoredLimits } from '../commands/commands.js';

/** At most `max` jobs start per window of `durationMs` (fixed windows, Redis clock). */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** The limits of a queue; an omitted (or null) one is not in force. */
export interface QueueLimits {
  /** Most active jobs of the queue across all workers. */
  concurrency?: number | null;
  /** Jobs started per window across all workers (grouped or not). */
  rateLimit?: RateLimit | null;
  /** Most active jobs of one group at once; default 1 (one at a time, in order). */
  groupConcurrency?: number | null;
  /** Each group's own budget: a busy group waits, the others go on. */
  groupRateLimit?: RateLimit | null;
}

const MAX_WINDOW_MS = 2 ** 31 - 1;

/** Validates `limits` (one error listing every problem) and flattens them for `set_limits`. */
export function toStoredLimits(limits: QueueLimits): StoredLimits {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['limits must be an object']);
  const problems: string[] = [];
  const known = new Set(['concurrency', 'rateLimit', 'groupConcurrency', 'groupRateLimit']);
  for (const key of Object.keys(limits)) if (!known.has(key)) problems.push(`unknown limit ${key}`);
  const count = (v: unknown, name: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v) || (v as number) < 1) problems.push(`${name} must be an integer >= 1`);
    return v as number;
  };
  const rate = (v: RateLimit | null | undefined, name: string) => {
    if (v === undefined || v === null) return [undefined, undefined] as const;
    if (typeof v !== 'object') {
      problems.push(`${name} must be { max, durationMs }`);
      return [undefined, undefined] as const;
    }
    const max = count(v.max, `${name}.max`);
    const dur = count(v.durationMs, `${name}.durationMs`);
    // one without the other is no limit the scripts can apply (a window of no length)
    const given = (x: unknown) => x !== undefined && x !== null;
    if (given(v.max) !== given(v.durationMs))
      problems.push(`${name} needs both max and durationMs`);
    if (dur !== undefined && dur > MAX_WINDOW_MS)
      problems.push(`${name}.durationMs must be at most ${MAX_WINDOW_MS}`);
    return [max, dur] as const;
  };
  const [rateMax, rateDurationMs] = rate(limits.rateLimit, 'rateLimit');
  const [groupRateMax, groupRateDurationMs] = rate(limits.groupRateLimit, 'groupRateLimit');
  const stored: StoredLimits = {
    concurrency: count(limits.concurrency, 'concurrency'),
    rateMax,
    rateDurationMs,
    groupConcurrency: count(limits.groupConcurrency, 'groupConcurrency'),
    groupRateMax,
    groupRateDurationMs,
  };
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return stored;
}

/** The limits as read back from `meta` fields (`conc`, `rlmax`, `rldur`, `gconc`, `grlmax`, `grldur`). */
export function fromMetaFields(v: (string | null)[]): QueueLimits {
  const n = (i: number) => (v[i] == null ? undefined : Number(v[i]));
  const out: QueueLimits = {};
  if (n(0) !== undefined) out.concurrency = n(0)!;
  if (n(1) !== undefined) out.rateLimit = { max: n(1)!, durationMs: n(2)! };
  if (n(3) !== undefined) out.groupConcurrency = n(3)!;
  if (n(4) !== undefined) out.groupRateLimit = { max: n(4)!, durationMs: n(5)! };
  return out;
}

/** The `meta` fields {@link fromMetaFields} reads, in its order. */
export const LIMIT_FIELDS = ['conc', 'rlmax', 'rldur', 'gconc', 'grlmax', 'grldur'] as const;
