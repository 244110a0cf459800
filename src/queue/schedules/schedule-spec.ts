/**
 * Schedules: their options, validation and tick arithmetic. Ticks are computed here, in
 * TypeScript (Lua cannot parse cron), from the previous tick — never from a process's clock —
 * so every process computes the same tick sequence; the scripts decide by Redis's clock.
 */
import { Cron } from 'croner';
import { ValidationError } from '../../errors.js';
import { MAX_AGE_MS, isOptionsObject, pushUnknownKeys, knownKeys, shown } from '../../validate.js';
import { toAddSpec, type AddOptions } from '../options.js';

/** Options of the jobs a schedule enqueues (the id and due time come from the tick). */
export type ScheduleJobOptions = Pick<AddOptions, 'priority' | 'meta' | 'maxAttempts' | 'backoff'>;

/** What a missed tick (no scheduler ran at its time) becomes: `one` job, or `none`. */
export type CatchUp = 'one' | 'none';

/** A schedule: a cron expression (with a time zone) or a fixed interval, and the job to add. */
export interface ScheduleOptions<Data = unknown> {
  /** Cron expression (5 fields, or 6 with seconds first), read by `croner`. */
  cron?: string;
  /** Fixed interval in ms (ticks on multiples of it since the epoch). Give cron or everyMs. */
  everyMs?: number;
  /** IANA time zone of `cron` (default UTC), e.g. `America/New_York`. */
  tz?: string;
  /** Job name (default: the schedule's name). */
  name?: string;
  /** Payload of every job. */
  data?: Data;
  /** Options of every job. */
  opts?: ScheduleJobOptions;
  /** Missed ticks while nothing ran: fire `one` job (default) or `none`. */
  catchUp?: CatchUp;
}

/** A schedule as stored in Redis and listed by `queue.schedules()`. */
export interface StoredSchedule {
  cron?: string;
  everyMs?: number;
  tz?: string;
  name: string;
  data: unknown;
  opts?: ScheduleJobOptions;
  catchUp: CatchUp;
  /** Job priority and record body (name, options, data), as the scripts write them. */
  priority: number;
  body: string;
}

const SCHEDULE_KEYS = knownKeys(['cron', 'everyMs', 'tz', 'name', 'data', 'opts', 'catchUp']);
const JOB_KEYS = knownKeys(['priority', 'meta', 'maxAttempts', 'backoff']);
const NAME_RE = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;
/** Shortest interval: one tick per 10 ms at most. */
const MIN_EVERY_MS = 10;

/** Checks a schedule name (it becomes part of job ids `sched:<name>:<tick>`). */
export function checkScheduleName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `schedule name must be 1–128 letters, digits or _ . : @ / + = -, got ${shown(name)}`,
    ]);
  return name;
}

/** Checks a schedule and serialises it as stored; throws one error listing every problem. */
export function toStoredSchedule(
  name: string,
  spec: ScheduleOptions,
  maxPayloadBytes: number,
): StoredSchedule {
  checkScheduleName(name);
  if (!isOptionsObject(spec as unknown))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      `schedule must be an object, got ${shown(spec)}`,
    ]);
  const problems: string[] = [];
  pushUnknownKeys(spec, SCHEDULE_KEYS, '', problems);
  if (spec.opts !== undefined) {
    if (isOptionsObject(spec.opts as unknown))
      pushUnknownKeys(spec.opts, JOB_KEYS, 'opts.', problems);
    else problems.push('opts must be an object');
  }
  if ((spec.cron === undefined) === (spec.everyMs === undefined))
    problems.push('give cron or everyMs (one of them)');
  if (spec.everyMs !== undefined) {
    const e = spec.everyMs;
    // at most the longest delay a job may have: its ticks are delayed jobs
    if (typeof e !== 'number' || !Number.isInteger(e) || e < MIN_EVERY_MS || e > MAX_AGE_MS)
      problems.push(
        `everyMs must be an integer from ${MIN_EVERY_MS} to ${MAX_AGE_MS} (10 years), got ${shown(e)}`,
      );
    if (spec.tz !== undefined) problems.push('tz applies to cron only');
  }
  if (spec.cron !== undefined) {
    if (typeof spec.cron !== 'string') problems.push('cron must be a string');
    else if (spec.tz !== undefined && typeof spec.tz !== 'string')
      problems.push('tz must be a string');
    else {
      try {
        // an unknown time zone passes the constructor and throws on the first run it computes
        cronOf(spec.cron, spec.tz).nextRun(new Date());
      } catch (err) {
        problems.push(`cron ${JSON.stringify(spec.cron)} (tz ${spec.tz ?? 'UTC'}): ${String(err)}`);
      }
    }
  }
  if (spec.catchUp !== undefined && spec.catchUp !== 'one' && spec.catchUp !== 'none')
    problems.push(`catchUp must be one | none, got ${shown(spec.catchUp)}`);
  if (spec.name !== undefined && typeof spec.name !== 'string')
    problems.push('name must be a string');
  if (problems.length) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', problems);
  const jobName = spec.name ?? name;
  // The job's own checks (name, priority, meta, retry options, payload size) and its record body.
  const job = toAddSpec(jobName, spec.data ?? null, spec.opts, maxPayloadBytes);
  const out: StoredSchedule = {
    name: jobName,
    data: spec.data ?? null,
    catchUp: spec.catchUp ?? 'one',
    priority: job.priority,
    body: job.body,
  };
  if (spec.cron !== undefined) out.cron = spec.cron;
  if (spec.tz !== undefined) out.tz = spec.tz;
  if (spec.everyMs !== undefined) out.everyMs = spec.everyMs;
  if (spec.opts !== undefined) out.opts = spec.opts;
  return out;
}

const crons = new Map<string, Cron>();

function cronOf(expr: string, tz: string | undefined): Cron {
  const key = `${tz ?? ''}\0${expr}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(expr, { timezone: tz ?? 'UTC', paused: true });
    if (crons.size > 1000) crons.clear();
    crons.set(key, c);
  }
  return c;
}

/**
 * The first tick of `s` strictly after `after` (ms): deterministic, whoever computes it.
 * `Infinity` when a cron never fires again.
 *
 * @example
 * ```ts
 * nextTick({ everyMs: 100 }, 1050); // 1100
 * nextTick({ cron: '30 2 * * *', tz: 'America/New_York' }, Date.UTC(2026, 0, 1)); // 07:30 UTC
 * ```
 */
export function nextTick(
  s: Pick<StoredSchedule, 'cron' | 'everyMs' | 'tz'>,
  after: number,
): number {
  if (s.everyMs !== undefined) return (Math.floor(after / s.everyMs) + 1) * s.everyMs;
  const next = cronOf(s.cron ?? '', s.tz).nextRun(new Date(after));
  return next ? next.getTime() : Number.POSITIVE_INFINITY;
}
