/** The arguments of the Queue's read and admin calls (states, pages, ids, `clear`), checked. */
import { ValidationError } from '../../errors.js';
import type { JobState } from '../job.js';
import { intProblem, knownKeys, optionsArg, pushUnknownKeys, shown } from '../../validate.js';

const JOB_STATES: ReadonlySet<string> = new Set<JobState>([
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
]);

/** Throws `SLC_ERR_INVALID_OPTIONS` unless `state` is a job state. */
export function checkJobState(state: unknown): JobState {
  if (typeof state !== 'string' || !JOB_STATES.has(state))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `state must be one of ${[...JOB_STATES].join(' | ')}, got ${shown(state)}`,
    ]);
  return state as JobState;
}

const PAGE_KEYS = knownKeys(['offset', 'limit'], { start: 'offset', end: 'limit', asc: '' });

/** Checks a `{ offset?, limit? }` page of `getJobs` and applies defaults (0, 50). */
export function checkPage(page: unknown): { offset: number; limit: number } {
  const o = optionsArg(page as { offset?: number; limit?: number } | undefined, 'page');
  const problems: string[] = [];
  pushUnknownKeys(o, PAGE_KEYS, '', problems);
  for (const p of [intProblem('offset', o.offset, 0), intProblem('limit', o.limit, 1, 1000)])
    if (p) problems.push(p);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return { offset: o.offset ?? 0, limit: o.limit ?? 50 };
}

/** An id given to look a job up (automatic ids are all digits, so those are fine here). */
export function checkJobId(id: unknown, what = 'job id'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `${what} must be a string of 1–256 characters, got ${shown(id)}`,
    ]);
  return id;
}

/** Checks the ids given to `retryFailed`: undefined (every failed job) or an array of ids. */
export function checkJobIds(ids: unknown): readonly string[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `ids must be an array of job ids, got ${shown(ids)}`,
    ]);
  const problems: string[] = [];
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256)
      problems.push(`ids[${i}] must be a job id (a string of 1–256 characters), got ${shown(id)}`);
  });
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return ids as string[];
}

const CLEAR_KEYS = knownKeys(['includeFailed', 'keepDelayed']);

/** Options of `Queue.clear`. */
export interface ClearOptions {
  /** Remove failed (dead-lettered) jobs too (default false). */
  includeFailed?: boolean;
  /** Leave delayed jobs, a schedule's pending tick among them (default true, as BullMQ's drain). */
  keepDelayed?: boolean;
}

/** Checks the options of `clear` and applies defaults. */
export function checkClearOptions(opts: unknown): Required<ClearOptions> {
  const o = optionsArg(opts as Record<string, unknown> | undefined, 'clear options');
  const problems: string[] = [];
  pushUnknownKeys(o, CLEAR_KEYS, '', problems);
  for (const key of ['includeFailed', 'keepDelayed'])
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      problems.push(`${key} must be a boolean`);
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  return { includeFailed: o.includeFailed === true, keepDelayed: o.keepDelayed !== false };
}
