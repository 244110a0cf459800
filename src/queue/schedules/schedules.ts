/** The Queue's schedule operations: upsert, list and remove (see `Queue.schedule`). */
import { ValidationError } from '../../errors.js';
import type { RedisClock } from '../../redis/clock.js';
import type { ScheduleCommands, ScheduleRow } from './schedule-commands.js';
import {
  checkScheduleName,
  nextTick,
  toStoredSchedule,
  type CatchUp,
  type ScheduleJobOptions,
  type ScheduleOptions,
} from './schedule-spec.js';

/** A schedule as `queue.schedules()` lists it. */
export interface ScheduleInfo<Data = unknown> {
  /** The schedule's name (its jobs' ids are `sched:<key>:<tick ms>`). */
  key: string;
  cron?: string;
  everyMs?: number;
  tz?: string;
  /** Name of the jobs it adds. */
  name: string;
  data: Data;
  opts?: ScheduleJobOptions;
  catchUp: CatchUp;
  /** The pending tick (ms since epoch, Redis clock): its job is already delayed until then. */
  next: number;
}

function info<Data>(row: Pick<ScheduleRow, 'key' | 'spec' | 'next'>): ScheduleInfo<Data> {
  const s = row.spec;
  const out: ScheduleInfo<Data> = {
    key: row.key,
    name: s.name,
    data: s.data as Data,
    catchUp: s.catchUp,
    next: row.next,
  };
  if (s.cron !== undefined) out.cron = s.cron;
  if (s.everyMs !== undefined) out.everyMs = s.everyMs;
  if (s.tz !== undefined) out.tz = s.tz;
  if (s.opts !== undefined) out.opts = s.opts;
  return out;
}

/** Creates or replaces schedule `key`; the same spec again keeps its pending tick. */
export async function upsertSchedule<Data>(
  cmds: ScheduleCommands,
  clock: RedisClock,
  key: string,
  spec: ScheduleOptions<Data>,
  maxPayloadBytes: number,
): Promise<ScheduleInfo<Data> & { changed: boolean }> {
  const stored = toStoredSchedule(key, spec, maxPayloadBytes);
  const first = nextTick(stored, await clock.now());
  if (!Number.isFinite(first))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [`cron ${stored.cron} never fires`]);
  const r = await cmds.set(key, stored, first);
  return { ...info<Data>({ key, spec: stored, next: r.next }), changed: r.changed };
}

export async function listSchedules<Data>(cmds: ScheduleCommands): Promise<ScheduleInfo<Data>[]> {
  return (await cmds.list()).map((r) => info<Data>(r));
}

export function removeSchedule(cmds: ScheduleCommands, key: string): Promise<boolean> {
  return cmds.remove(checkScheduleName(key));
}
