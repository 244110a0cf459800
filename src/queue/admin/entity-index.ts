/**
 * Reading the per-entity index: the jobs added with `entity`, newest first, each with its state.
 * The index is one sorted set per queue (see docs/keys.md); a page costs O(log n + page).
 */
import { ValidationError } from '../../errors.js';
import { checkPage } from './call-options.js';
import type { QueueCommands } from '../commands/commands.js';
import { Job, type JobState } from '../job.js';

/** A page of one entity's jobs; each job's `state` is set. */
export interface EntityJobPage<Data = unknown, Result = unknown> {
  /** Jobs indexed under the entity now (in every state). */
  total: number;
  /** Newest first (by enqueue order). */
  jobs: Job<Data, Result>[];
}

/** One page of the jobs of `entity` (see `Queue.getEntityJobs`). */
export async function listEntityJobs<Data, Result>(
  commands: QueueCommands,
  queueName: string,
  entity: string,
  page: { offset?: number; limit?: number },
): Promise<EntityJobPage<Data, Result>> {
  if (
    typeof entity !== 'string' ||
    entity.length < 1 ||
    entity.length > 256 ||
    entity.includes('|')
  )
    throw new ValidationError('SLC_ERR_INVALID_OPTIONS', [
      'entity must be a string of 1–256 characters, without |',
    ]);
  const { offset, limit } = checkPage(page);
  const { total, rows } = await commands.listEntity(entity, offset, limit);
  const jobs = rows.map(
    (r) =>
      new Job<Data, Result>({
        id: r.id,
        queueName,
        record: r.record,
        info: r.info,
        result: r.result,
        state: r.state as JobState,
        score: r.score || undefined,
      }),
  );
  return { total, jobs };
}
