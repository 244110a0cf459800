/**
 * Operator calls of the Queue that BullMQ users reach for: promote every delayed job, re-run a
 * completed job, release a de-dup key, count waiting jobs per priority. Each step is one script
 * (or one command), bounded per call.
 */
import { JobError, ValidationError } from '../../errors.js';
import type { QueueCommands } from '../commands/commands.js';

/** Waiting jobs per priority (see `Queue.priorityCounts`). */
export interface PriorityCounts {
  /** Waiting jobs without a group, per priority in use (a key per priority; 0 = default). */
  byPriority: Record<number, number>;
  /** Waiting jobs in groups (each group keeps its own order; not split by priority). */
  grouped: number;
}

/** Jobs per `promote_all` step. */
const PROMOTE_STEP = 1000;

function groupKeys(c: QueueCommands): string[] {
  const k = c.keys;
  return [k.gwait, k.gof, k.gready, k.glimited, k.gstate, k.gage];
}

/** Moves every delayed job to waiting, soonest due first, `PROMOTE_STEP` per script call. */
export async function promoteAllJobs(c: QueueCommands, limit: number | undefined): Promise<number> {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', ['limit must be a positive integer']);
  const k = c.keys;
  const keys = [k.meta, k.wait, k.prio, k.delayed, k.jobs, k.marker, ...groupKeys(c)];
  let moved = 0;
  const max = limit ?? Infinity;
  while (moved < max) {
    const want = Math.min(PROMOTE_STEP, max - moved);
    const n = Number(await c.script('promote_all')(keys, [want]));
    moved += n;
    if (n < want) break;
  }
  return moved;
}

/** Moves completed job `id` back to waiting with a fresh attempt count. */
export async function rerunJob(c: QueueCommands, queue: string, id: string): Promise<void> {
  const k = c.keys;
  const r = Number(
    await c.script('rerun')(
      [k.meta, k.wait, k.prio, k.completed, k.jobs, k.info, k.results, k.marker, ...groupKeys(c)],
      [id],
    ),
  );
  if (r === 0)
    throw new JobError('SLC_ERR_JOB_NOT_FOUND', id, `job ${id} not found in queue ${queue}`);
  if (r === -1) throw new JobError('SLC_ERR_JOB_STATE', id, `job ${id} is not completed`);
}

/** Releases de-dup key `key` (one HDEL): the next `add` with it creates a job. */
export async function dropDedupKey(c: QueueCommands, key: string): Promise<boolean> {
  if (typeof key !== 'string' || key.length < 1 || key.length > 256)
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      'dedupKey must be a string of 1–256 characters',
    ]);
  return (await c.run((r) => r.hdel(c.keys.dedup, key), 'HDEL')) === 1;
}

/** Waiting jobs per priority, from the `priority_counts` script. */
export async function readPriorityCounts(c: QueueCommands): Promise<PriorityCounts> {
  const k = c.keys;
  const r = (await c.script('priority_counts')([k.meta, k.wait, k.prio, k.gwait], [])) as number[];
  const byPriority: Record<number, number> = {};
  for (let i = 1; i < r.length; i += 2) byPriority[Number(r[i])] = Number(r[i + 1]);
  return { byPriority, grouped: Number(r[0]) };
}
