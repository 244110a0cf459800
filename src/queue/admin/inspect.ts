/**
 * Operator reads that are not state transitions: the bounded completion/failure history behind
 * the dashboard's charts, and a bounded search over a queue's job records (HSCAN of the `jobs`
 * hash with a cursor and a per-call budget, so one call never walks a whole large queue).
 */
import type { QueueCommands } from '../commands/commands.js';
import { ValidationError } from '../../errors.js';
import { intProblem, shown } from '../../validate.js';
import { decodeRecord } from '../job.js';

/** Range of a {@link QueueHistory}: the last hour by minute, or the last 7 days by hour. */
export type HistoryRange = '1h' | '7d';

/** Completion and failure counts per bucket, oldest first, ending with the current bucket. */
export interface QueueHistory {
  range: HistoryRange;
  /** Bucket width in ms (60,000 or 3,600,000). */
  stepMs: number;
  /** Start of the first bucket (ms since the epoch, Redis clock). */
  startMs: number;
  /** Redis time of the read. */
  now: number;
  completed: number[];
  failed: number[];
}

const RANGES: Record<HistoryRange, { unit: 'm' | 'h'; count: number; stepMs: number }> = {
  '1h': { unit: 'm', count: 60, stepMs: 60_000 },
  '7d': { unit: 'h', count: 168, stepMs: 3_600_000 },
};

/** Reads the history of one range (one script call). */
export async function readHistory(
  commands: QueueCommands,
  range: HistoryRange,
): Promise<QueueHistory> {
  const spec = RANGES[range];
  const r = await commands.history(spec.unit, spec.count);
  const n = spec.count;
  const now = r[0]!;
  const bucket = r[1]!;
  return {
    range,
    stepMs: spec.stepMs,
    startMs: (bucket - n) * spec.stepMs,
    now,
    completed: [...r.slice(2, 2 + n), r[2 + 2 * n]!],
    failed: [...r.slice(2 + n, 2 + 2 * n), r[3 + 2 * n]!],
  };
}

/** What {@link Queue.search} looks at. */
export type SearchField = 'any' | 'id' | 'name' | 'data' | `meta.${string}`;

/** Options of one search call. */
export interface SearchOptions {
  /** Text to find (case-insensitive substring). */
  query: string;
  /** Where to look: `any` (default: id, name, every meta value, payload text), or one place. */
  field?: SearchField;
  /** Continue from the `cursor` a previous call returned ('0' or absent = from the start). */
  cursor?: string;
  /** Records to examine in this call (default 2,000, at most 20,000). */
  budget?: number;
  /** Stop after this many matches (default 50, at most 500). */
  limit?: number;
}

/** One page of search: matching job ids, and where to continue ('0' = the scan is complete). */
export interface SearchPage {
  ids: string[];
  cursor: string;
  /** Records examined by this call. */
  scanned: number;
}

function matches(id: string, record: string, field: SearchField, needle: string): boolean {
  const has = (v: unknown): boolean =>
    v !== undefined &&
    v !== null &&
    (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).toLowerCase().includes(needle);
  if (field === 'id') return has(id);
  let body;
  try {
    body = decodeRecord(record).body;
  } catch {
    return false;
  }
  const meta = (body.o?.meta ?? {}) as Record<string, unknown>;
  if (field === 'name') return has(body.n);
  if (field === 'data') return has(body.d);
  // own fields only: `meta.constructor` is no field of anyone's meta
  if (field.startsWith('meta.')) {
    const key = field.slice(5);
    return Object.hasOwn(meta, key) && has(meta[key]);
  }
  return has(id) || has(body.n) || Object.values(meta).some(has) || has(body.d);
}

/** Throws `SLC_ERR_INVALID_OPTIONS` listing every problem of `opts`. */
export function checkSearch(opts: SearchOptions): void {
  const o = (opts ?? {}) as Partial<SearchOptions>;
  const problems: string[] = [];
  if (typeof o.query !== 'string' || o.query === '')
    problems.push(`query must be a non-empty string, got ${shown(o.query)}`);
  const f = o.field;
  if (f !== undefined && !(['any', 'id', 'name', 'data'].includes(f) || /^meta\../.test(f)))
    problems.push(`field must be any | id | name | data | meta.<key>, got ${shown(f)}`);
  if (o.cursor !== undefined && !/^\d+$/.test(String(o.cursor)))
    problems.push(`cursor must be a cursor a previous search returned, got ${shown(o.cursor)}`);
  for (const p of [intProblem('budget', o.budget, 1, 20_000), intProblem('limit', o.limit, 1, 500)])
    if (p) problems.push(p);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
}

/** Scans the `jobs` hash from `cursor` within the call's budget (see {@link SearchOptions}). */
export async function searchJobs(
  hscan: (cursor: string, count: number) => Promise<[string, string[]]>,
  opts: SearchOptions,
): Promise<SearchPage> {
  const budget = opts.budget ?? 2000;
  const limit = opts.limit ?? 50;
  const field = opts.field ?? 'any';
  const needle = opts.query.toLowerCase();
  const ids: string[] = [];
  let cursor = opts.cursor && opts.cursor !== '' ? opts.cursor : '0';
  let scanned = 0;
  do {
    const [next, flat] = await hscan(cursor, Math.min(500, budget - scanned));
    cursor = next;
    for (let i = 0; i < flat.length; i += 2) {
      scanned++;
      if (matches(flat[i]!, flat[i + 1]!, field, needle)) ids.push(flat[i]!);
    }
  } while (cursor !== '0' && scanned < budget && ids.length < limit);
  return { ids, cursor, scanned };
}
