/**
 * Changing a job that is not running: its data, its delay, its priority. Each change is one
 * script that refuses an active job (`SLC_ERR_JOB_STATE`), so a handler never sees its job change
 * under it. Used by the Queue's `updateData`, `changeDelay` and `changePriority`.
 */
import { JobError, ValidationError } from '../../errors.js';
import { MAX_AGE_MS, intProblem, serialisePayload, shown } from '../../validate.js';
import type { QueueCommands } from '../commands/commands.js';
import { PRIORITY } from '../options.js';

function notFound(id: string, queue: string): JobError {
  return new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${queue}`);
}

function active(id: string): JobError {
  return new JobError('SLC_ERR_JOB_STATE', id, `job ${id} is active; it cannot be changed now`);
}

/** Replaces the data of job `id` (waiting, delayed or finished). */
export async function updateJobData(
  commands: QueueCommands,
  queue: string,
  id: string,
  data: unknown,
  maxPayloadBytes: number,
): Promise<void> {
  const json = serialisePayload(data, maxPayloadBytes);
  const k = commands.keys;
  const r = Number(await commands.script('update_data')([k.jobs, k.lease], [id, json]));
  if (r === 0) throw notFound(id, queue);
  if (r === -1) throw active(id);
  if (r === -2)
    throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} was stored by an older version`);
}

/** Moves the due time of delayed job `id` to `delayMs` from now; returns the new due time. */
export async function changeJobDelay(
  commands: QueueCommands,
  queue: string,
  id: string,
  delayMs: number,
): Promise<number> {
  const p = intProblem('delayMs', delayMs, 0, MAX_AGE_MS);
  if (p) throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [p]);
  const k = commands.keys;
  const r = Number(
    await commands.script('change_delay')([k.delayed, k.jobs, k.marker], [id, delayMs]),
  );
  if (r === 0) throw notFound(id, queue);
  if (r === -1) throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} is not delayed`);
  return r;
}

/** Checks a priority as `add` takes it (`high | normal | low` or an integer -1000…1000). */
export function checkPriority(priority: unknown): number {
  if (typeof priority === 'string' && Object.hasOwn(PRIORITY, priority))
    return PRIORITY[priority as keyof typeof PRIORITY];
  if (typeof priority === 'number' && Number.isInteger(priority) && Math.abs(priority) <= 1000)
    return priority;
  throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
    `priority must be high | normal | low or an integer -1000…1000, got ${shown(priority)}`,
  ]);
}

/** Sets the priority of job `id` (not active); a waiting job moves to its new place in line. */
export async function changeJobPriority(
  commands: QueueCommands,
  queue: string,
  id: string,
  priority: keyof typeof PRIORITY | number,
): Promise<void> {
  const p = checkPriority(priority);
  const k = commands.keys;
  const r = Number(
    await commands.script('change_priority')(
      [
        k.meta,
        k.wait,
        k.prio,
        k.jobs,
        k.lease,
        k.tomb,
        k.delayed,
        k.gwait,
        k.gof,
        k.gage,
        k.completed,
        k.failed,
      ],
      [id, p],
    ),
  );
  if (r === 0) throw notFound(id, queue);
  if (r === -1) throw active(id);
}
