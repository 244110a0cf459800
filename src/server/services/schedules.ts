/**
 * The schedule operations of the admin API as plain functions (no HTTP types); each is one
 * library call. Listing and removing need a known queue; creating a schedule makes one known.
 */
import { RequestError, type ScheduleInfo, type ScheduleOptions } from '../../index.js';
import type { NewSchedule } from '../schemas/schedules.js';
import type { QueueDirectory } from '../types.js';

async function known(dir: QueueDirectory, name: string) {
  if (!(await dir.known(name)))
    throw new RequestError('SLC_ERR_NOT_FOUND', `queue ${name} is not known`);
  return dir.get(name);
}

function view(s: ScheduleInfo) {
  const { opts, ...rest } = s;
  return opts === undefined ? rest : { ...rest, opts: { ...opts } };
}

/** Every schedule of a known queue. */
export async function listSchedules(dir: QueueDirectory, name: string) {
  return { schedules: (await (await known(dir, name)).schedules()).map(view) };
}

/** Creates or replaces schedule `key`; `changed` false when the same spec was already there. */
export async function putSchedule(
  dir: QueueDirectory,
  name: string,
  key: string,
  body: NewSchedule,
) {
  const { changed, ...schedule } = await dir.get(name).schedule(key, body as ScheduleOptions);
  return { schedule: view(schedule), changed };
}

/** Removes a schedule; `SLC_ERR_NOT_FOUND` when there is none. */
export async function deleteSchedule(dir: QueueDirectory, name: string, key: string) {
  if (!(await (await known(dir, name)).unschedule(key)))
    throw new RequestError('SLC_ERR_NOT_FOUND', `schedule ${key} not found in queue ${name}`);
  return { key, removed: true };
}
